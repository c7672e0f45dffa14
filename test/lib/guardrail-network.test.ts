/**
 * The optional VPC placement (Control Tower CT.LAMBDA.PR.3): every guardrail function in the VPC's private subnets
 * behind an HTTPS-only security group, the endpoints the functions need, and the VPC the app creates with
 * `vpc=create`. Synthesized without bundling: the templates are what is checked.
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { endpointServices, NETWORK_INTERFACE_ACTIONS } from '../../lib/guardrail-network';
import { GuardrailStack } from '../../lib/guardrail-stack';
import { GuardrailPropsError, PublicBucketGuardrail, type PublicBucketGuardrailProps } from '../../lib/public-bucket-guardrail';
import { logicalIdOf, newTestApp, renderIntrinsics } from './stack-test-helpers';

interface Synthesized {
  readonly stack: Stack;
  readonly guardrail: PublicBucketGuardrail;
  readonly template: Template;
  readonly vpc: ec2.Vpc;
}

/** A stack with a VPC of its own (public and private-with-egress subnets, as most landing-zone VPCs) and the guardrail in it. */
function synthInGivenVpc(props: Omit<PublicBucketGuardrailProps, 'vpc'> = {}): Synthesized {
  const app = newTestApp();
  const stack = new Stack(app, 'GivenVpc', { env: { region: 'eu-west-1', account: '111122223333' } });
  const vpc = new ec2.Vpc(stack, 'Shared', { maxAzs: 2, natGateways: 1 });
  const guardrail = new PublicBucketGuardrail(stack, 'Guardrail', { alertEmails: ['oncall@example.com'], ...props, vpc });
  return { stack, guardrail, template: Template.fromStack(stack), vpc };
}

type Resource = { Properties: Record<string, unknown>; DependsOn?: string[] };

function resourcesOf(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** An endpoint's service name with the region rendered: `com.amazonaws.eu-west-1.s3`. */
function serviceNameOf(endpoint: Resource): string {
  return String(renderIntrinsics(endpoint.Properties.ServiceName, { values: { 'AWS::Region': 'eu-west-1', 'AWS::URLSuffix': 'amazonaws.com' } }));
}

function endpointsOf(template: Template, type: 'Gateway' | 'Interface'): Resource[] {
  return Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint')).filter((endpoint) => endpoint.Properties.VpcEndpointType === type);
}

/** The guardrail's own functions (the CDK's trigger provider is a CfnResource without a construct of ours). */
function guardrailFunctions(s: { guardrail: PublicBucketGuardrail }) {
  const sweep = s.guardrail.sweep;
  return [s.guardrail.remediateFunction, ...(sweep !== undefined ? [sweep.listerFunction, sweep.workerFunction] : [])];
}

describe('GuardrailNetwork in a VPC the caller passes', () => {
  const s = synthInGivenVpc();
  const functionsGroup = () => logicalIdOf(s.guardrail.network!.securityGroup);

  it('puts the remediator, the sweep lister and the worker in the private subnets behind the functions security group', () => {
    const privateSubnets = s.vpc.privateSubnets.map((subnet) => ({ Ref: logicalIdOf(subnet.node.defaultChild as ec2.CfnSubnet) }));
    const functions = guardrailFunctions(s);
    expect(functions).toHaveLength(3);
    for (const fn of functions) {
      const resource = s.template.toJSON().Resources[logicalIdOf(fn)] as Resource;
      expect(resource.Properties.VpcConfig).toEqual({
        SubnetIds: privateSubnets,
        SecurityGroupIds: [{ 'Fn::GetAtt': [functionsGroup(), 'GroupId'] }],
      });
    }
  });

  it('lets the functions out on HTTPS (tcp/443) only, and nothing in', () => {
    const group = s.template.toJSON().Resources[functionsGroup()] as Resource;
    expect(group.Properties.SecurityGroupEgress).toEqual([{ CidrIp: '0.0.0.0/0', Description: 'HTTPS to AWS APIs (VPC endpoints)', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 }]);
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    // No separate ingress rule names the functions' group as its target either
    const ingressToFunctions = Object.values(resourcesOf(s.template, 'AWS::EC2::SecurityGroupIngress')).filter(
      (rule) => JSON.stringify(rule.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [functionsGroup(), 'GroupId'] }),
    );
    expect(ingressToFunctions).toEqual([]);
  });

  it('grants each function role the network-interface actions in a policy the function waits for', () => {
    const functions = guardrailFunctions(s);
    const policies = resourcesOf(s.template, 'AWS::IAM::Policy');
    for (const fn of functions) {
      const roleId = logicalIdOf(fn.role as iam.Role);
      const [policyId] = Object.entries(policies)
        .filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes('ec2:CreateNetworkInterface'))
        .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .map(([id]) => id);
      expect(policyId).toBeDefined();
      expect(policies[policyId].Properties.PolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Sid: 'ManageVpcNetworkInterfaces', Effect: 'Allow', Action: [...NETWORK_INTERFACE_ACTIONS].sort(), Resource: '*' }],
      });
      const resource = s.template.toJSON().Resources[logicalIdOf(fn)] as Resource;
      expect(resource.DependsOn).toContain(policyId);
    }
  });

  it('creates the gateway endpoints for S3 and DynamoDB on the private subnets\' route tables', () => {
    const gateways = endpointsOf(s.template, 'Gateway');
    expect(gateways.map(serviceNameOf).sort()).toEqual(['com.amazonaws.eu-west-1.dynamodb', 'com.amazonaws.eu-west-1.s3']);
    const privateRouteTables = s.vpc.privateSubnets.map((subnet) => ({ Ref: logicalIdOf(subnet.node.findChild('RouteTable')) }));
    for (const gateway of gateways) expect(gateway.Properties.RouteTableIds).toEqual(privateRouteTables);
  });

  it('creates an interface endpoint with private DNS for S3 (S3 Control), SNS, EventBridge, SQS and CloudTrail, and none for Security Hub when it is off', () => {
    const interfaces = endpointsOf(s.template, 'Interface');
    expect(interfaces.map(serviceNameOf).sort()).toEqual(
      ['cloudtrail', 'events', 's3', 'sns', 'sqs'].map((service) => `com.amazonaws.eu-west-1.${service}`),
    );
    for (const endpoint of interfaces) {
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      expect(endpoint.Properties.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [logicalIdOf(s.guardrail.network!.endpointSecurityGroup!), 'GroupId'] }]);
    }
    // S3: private DNS for every resolver, so *.s3-control.<region>.amazonaws.com resolves to the endpoint from the VPC
    const [s3] = interfaces.filter((endpoint) => serviceNameOf(endpoint) === 'com.amazonaws.eu-west-1.s3');
    expect(s3.Properties.DnsOptions).toEqual({ PrivateDnsOnlyForInboundResolverEndpoint: 'AllResolvers' });
  });

  it('admits only principals of this account through every endpoint, each to its own service', () => {
    const endpoints = Object.values(resourcesOf(s.template, 'AWS::EC2::VPCEndpoint'));
    expect(endpoints).toHaveLength(7);
    for (const endpoint of endpoints) {
      const prefix = serviceNameOf(endpoint).split('.').pop();
      expect(endpoint.Properties.PolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ThisAccountPrincipalsOnly',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: `${prefix}:*`,
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalAccount': '111122223333' } },
          },
        ],
      });
    }
  });

  it('lets HTTPS into the interface endpoints from the functions security group only', () => {
    const endpointGroup = logicalIdOf(s.guardrail.network!.endpointSecurityGroup!);
    const group = s.template.toJSON().Resources[endpointGroup] as Resource;
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    const rules = Object.values(resourcesOf(s.template, 'AWS::EC2::SecurityGroupIngress')).filter(
      (rule) => JSON.stringify(rule.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [endpointGroup, 'GroupId'] }),
    );
    expect(rules.map((rule) => rule.Properties)).toEqual([
      {
        GroupId: { 'Fn::GetAtt': [endpointGroup, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [functionsGroup(), 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        Description: 'HTTPS from the guardrail functions',
      },
    ]);
  });
});

describe('GuardrailNetwork options', () => {
  it('adds the Security Hub endpoint with securityHub, and leaves SQS and CloudTrail out without the sweep', () => {
    const s = synthInGivenVpc({ securityHub: true, sweep: false });
    const interfaces = endpointsOf(s.template, 'Interface').map(serviceNameOf).sort();
    expect(interfaces).toEqual(['events', 's3', 'securityhub', 'sns'].map((service) => `com.amazonaws.eu-west-1.${service}`));
    expect(guardrailFunctions(s)).toHaveLength(1);
  });

  it('creates no endpoint with vpcEndpoints: false, and still places the functions', () => {
    const s = synthInGivenVpc({ vpcEndpoints: false });
    s.template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(s.guardrail.network!.endpointSecurityGroup).toBeUndefined();
    for (const fn of guardrailFunctions(s)) {
      const resource = s.template.toJSON().Resources[logicalIdOf(fn)] as Resource;
      expect(resource.Properties.VpcConfig).toBeDefined();
    }
  });

  it('places the functions in the subnets vpcSubnets selects', () => {
    const app = newTestApp();
    const stack = new Stack(app, 'Selected', { env: { region: 'eu-west-1', account: '111122223333' } });
    const vpc = new ec2.Vpc(stack, 'Shared', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'Apps', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: 'Guardrail', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    const guardrail = new PublicBucketGuardrail(stack, 'Guardrail', { vpc, vpcSubnets: { subnetGroupName: 'Guardrail' }, sweep: false });
    const chosen = vpc.selectSubnets({ subnetGroupName: 'Guardrail' }).subnets.map((subnet) => ({ Ref: logicalIdOf(subnet.node.defaultChild as ec2.CfnSubnet) }));
    const resource = Template.fromStack(stack).toJSON().Resources[logicalIdOf(guardrail.remediateFunction)] as Resource;
    expect((resource.Properties.VpcConfig as { SubnetIds: unknown }).SubnetIds).toEqual(chosen);
  });

  it('refuses public subnets', () => {
    const app = newTestApp();
    const stack = new Stack(app, 'Public', { env: { region: 'eu-west-1', account: '111122223333' } });
    const vpc = new ec2.Vpc(stack, 'Shared', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(() => new PublicBucketGuardrail(stack, 'Guardrail', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, sweep: false })).toThrow(/public subnet/i);
  });

  it('warns that other covered regions need a route out of the VPC', () => {
    const app = newTestApp();
    const stack = new Stack(app, 'Regions', { env: { region: 'eu-west-1', account: '111122223333' } });
    const vpc = new ec2.Vpc(stack, 'Shared', { maxAzs: 2, natGateways: 1 });
    new PublicBucketGuardrail(stack, 'Guardrail', { vpc, coveredRegions: ['eu-west-1', 'us-east-1'], sweep: false });
    Annotations.fromStack(stack).hasWarning('/Regions/Guardrail', Match.stringLikeRegexp('act in us-east-1 too.*NAT gateway or a Transit Gateway'));
  });

  it.each<[string, (vpc: ec2.IVpc) => PublicBucketGuardrailProps, RegExp]>([
    ['vpcSubnets without vpc', () => ({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }), /vpcSubnets: is set without vpc/],
    ['vpcEndpoints without vpc', () => ({ vpcEndpoints: false }), /vpcEndpoints: is set without vpc/],
    [
      'vpc with crossAccount',
      (vpc) => ({ vpc, crossAccount: { memberRoleName: 'BucketGuardrailMember', organizationId: 'o-abcdefghij' } }),
      /vpc: is not supported with crossAccount yet/,
    ],
  ])('refuses %s with a GuardrailPropsError that says the fix', (_title, props, message) => {
    const stack = new Stack(newTestApp(), 'Bad', { env: { region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Shared', { maxAzs: 2, natGateways: 0 });
    let thrown: unknown;
    try {
      new PublicBucketGuardrail(stack, 'Guardrail', props(vpc));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GuardrailPropsError);
    expect((thrown as Error).message).toMatch(message);
  });
});

describe('the VPC GuardrailStack creates (context vpc=create)', () => {
  const app = newTestApp();
  const stack = new GuardrailStack(app, 'Created', { env: { region: 'us-east-1' }, vpc: { create: true } });
  const template = Template.fromStack(stack);

  it('has isolated subnets in two Availability Zones, no NAT gateway and no internet gateway', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    const subnets = Object.values(resourcesOf(template, 'AWS::EC2::Subnet'));
    expect(subnets).toHaveLength(2);
    for (const subnet of subnets) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    expect(new Set(subnets.map((subnet) => JSON.stringify(subnet.Properties.AvailabilityZone))).size).toBe(2);
  });

  it('logs all traffic to a log group encrypted with a key CloudWatch Logs may use', () => {
    const [flowLog] = Object.values(resourcesOf(template, 'AWS::EC2::FlowLog'));
    expect(flowLog.Properties).toMatchObject({ ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    const groupId = (flowLog.Properties.LogGroupName as { Ref: string }).Ref;
    const group = template.toJSON().Resources[groupId] as Resource;
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VpcFlowLogsKey/), 'Arn'] });
  });

  it('places the guardrail functions in its isolated subnets, with the endpoints', () => {
    for (const fn of guardrailFunctions(stack)) {
      const resource = template.toJSON().Resources[logicalIdOf(fn)] as Resource;
      expect((resource.Properties.VpcConfig as { SubnetIds: unknown[] }).SubnetIds).toHaveLength(2);
    }
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 7);
  });
});

describe('endpointServices', () => {
  it.each<[string, { sweep: boolean; securityHub: boolean }, string[]]>([
    ['the defaults (sweep on)', { sweep: true, securityHub: false }, ['S3Gateway', 'DynamoDbGateway', 'S3Interface', 'SnsEndpoint', 'EventsEndpoint', 'SqsEndpoint', 'CloudTrailEndpoint']],
    ['no sweep', { sweep: false, securityHub: false }, ['S3Gateway', 'DynamoDbGateway', 'S3Interface', 'SnsEndpoint', 'EventsEndpoint']],
    ['Security Hub on', { sweep: false, securityHub: true }, ['S3Gateway', 'DynamoDbGateway', 'S3Interface', 'SnsEndpoint', 'EventsEndpoint', 'SecurityHubEndpoint']],
  ])('lists the endpoints for %s', (_title, needs, ids) => {
    expect(endpointServices(needs).map((service) => service.id)).toEqual(ids);
  });

  it('never lists KMS, CloudWatch Logs or Lambda: the functions do not call them over their own network', () => {
    const services = endpointServices({ sweep: true, securityHub: true }).map((service) => service.service);
    expect(services).not.toContain('kms');
    expect(services).not.toContain('logs');
    expect(services).not.toContain('lambda');
  });
});
