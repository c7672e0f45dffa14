/**
 * Optional VPC placement of the guardrail's functions (AWS Control Tower control CT.LAMBDA.PR.3, "Require an AWS
 * Lambda function to be in a customer-managed VPC").
 *
 * GuardrailNetwork puts the remediator and the sweep's lister and worker in the private subnets of a VPC, behind one
 * security group that allows HTTPS (tcp/443) out and nothing else, and (unless told not to) creates the VPC endpoints
 * those functions then need to reach the AWS APIs they call with no NAT gateway: `endpointServices()` lists them,
 * each with the calls it carries. Every endpoint policy lets only principals of this account use the endpoint.
 *
 * newIsolatedVpc() is the VPC the app creates with `-c vpc=create`: isolated subnets in two Availability Zones, no
 * NAT gateway, no internet gateway, flow logs to a log group under a customer managed key (cdk-nag AwsSolutions-VPC7,
 * Control Tower CT.CLOUDWATCH.PR.3).
 *
 * Functions the CDK itself creates (the trigger provider that starts the first sweep, the trial's bucket-emptying
 * function, the default-security-group restriction of a created VPC) take no VPC setting and stay acknowledged.
 */
import { Annotations, Aspects, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { newLogsKey } from './encrypted-resources';
import { acknowledgeControl } from './policy-checks';
import { DestroyOnDelete } from './teardown';

/** What the functions call, so the endpoints match it: the sweep's calls and Security Hub are optional. */
export interface EndpointNeeds {
  /** The sweep is on: its lister and worker call SQS and CloudTrail. */
  readonly sweep: boolean;
  /** Findings are imported into Security Hub. */
  readonly securityHub: boolean;
}

/** One VPC endpoint the functions need, and why. */
export interface EndpointService {
  /** Construct ID of the endpoint (a contract: renaming it replaces the endpoint). */
  readonly id: string;
  readonly kind: 'gateway' | 'interface';
  /** The service's name without the `com.amazonaws.<region>.` prefix. */
  readonly service: string;
  /** The IAM service prefix the endpoint policy allows (principals of this account only). */
  readonly actionPrefix: string;
  /** The calls that go through it. */
  readonly carries: string;
}

/**
 * The endpoints the guardrail's functions need in a VPC without a NAT gateway, in a fixed order. Pure.
 *
 * Not listed, on purpose: KMS (the functions never call it; S3, DynamoDB, SNS and SQS use the keys on their behalf),
 * CloudWatch Logs and CloudWatch (Lambda ships the functions' output, metrics included as embedded metric format,
 * outside the function's network), Lambda (no function invokes another), STS and Organizations (organization-wide
 * operation only, which the VPC placement does not support yet).
 */
export function endpointServices(needs: EndpointNeeds): EndpointService[] {
  const services: EndpointService[] = [
    { id: 'S3Gateway', kind: 'gateway', service: 's3', actionPrefix: 's3', carries: 'S3 requests to names outside the S3 interface endpoint\'s private DNS (free)' },
    { id: 'DynamoDbGateway', kind: 'gateway', service: 'dynamodb', actionPrefix: 'dynamodb', carries: 'audit, exemptions and sweep progress tables (free)' },
    {
      id: 'S3Interface',
      kind: 'interface',
      service: 's3',
      actionPrefix: 's3',
      carries:
        'S3 Control (`<account>.s3-control.<region>.amazonaws.com`: account Block Public Access, access points), which no gateway endpoint serves, and with it the bucket-level S3 calls and the audit archive',
    },
    { id: 'SnsEndpoint', kind: 'interface', service: 'sns', actionPrefix: 'sns', carries: 'alerts (sns:Publish)' },
    { id: 'EventsEndpoint', kind: 'interface', service: 'events', actionPrefix: 'events', carries: 'outcome events (events:PutEvents)' },
  ];
  if (needs.sweep) {
    services.push(
      { id: 'SqsEndpoint', kind: 'interface', service: 'sqs', actionPrefix: 'sqs', carries: 'sweep fan-out and retries (sqs:SendMessage, sqs:ChangeMessageVisibility)' },
      {
        id: 'CloudTrailEndpoint',
        kind: 'interface',
        service: 'cloudtrail',
        actionPrefix: 'cloudtrail',
        carries: 'trail coverage checks and the exposing call\'s lookup (DescribeTrails, GetTrailStatus, GetEventSelectors, LookupEvents)',
      },
    );
  }
  if (needs.securityHub) {
    services.push({ id: 'SecurityHubEndpoint', kind: 'interface', service: 'securityhub', actionPrefix: 'securityhub', carries: 'findings (securityhub:BatchImportFindings)' });
  }
  return services;
}

/** The Lambda execution-role actions that let Lambda attach a function to the VPC (create, describe, delete its ENIs). */
export const NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

/** The function props that place a function in the VPC. */
export interface FunctionPlacement {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}

/**
 * What a construct that creates a function needs to place it: spread `placement` into the function props, then call
 * `attach(fn, role)` (GuardrailNetwork implements it).
 */
export interface FunctionNetwork {
  readonly placement: FunctionPlacement;
  /** Grants `role` the network-interface actions (in a policy the function waits for) and records the function. */
  attach(fn: lambda.Function, role: iam.IRole, id: string): void;
}

export interface GuardrailNetworkProps {
  readonly vpc: ec2.IVpc;
  /**
   * Where the functions (and the interface endpoints) go.
   * @default - the VPC's private subnets: those with egress if it has any, else the isolated ones
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Create the VPC endpoints of `endpointServices(needs)`. */
  readonly endpoints: boolean;
  readonly needs: EndpointNeeds;
}

export class GuardrailNetwork extends Construct implements FunctionNetwork {
  readonly vpc: ec2.IVpc;
  /** The functions' security group: HTTPS (tcp/443) out, nothing in. */
  readonly securityGroup: ec2.SecurityGroup;
  /** The interface endpoints' security group (when endpoints are created): HTTPS in from the functions only. */
  readonly endpointSecurityGroup?: ec2.SecurityGroup;
  readonly placement: FunctionPlacement;
  /** The endpoints created, by construct ID. */
  readonly endpoints: Readonly<Record<string, ec2.GatewayVpcEndpoint | ec2.InterfaceVpcEndpoint>>;

  constructor(scope: Construct, id: string, props: GuardrailNetworkProps) {
    super(scope, id);
    this.vpc = props.vpc;
    const vpcSubnets = props.vpcSubnets ?? {};
    this.securityGroup = new ec2.SecurityGroup(this, 'FunctionsSecurityGroup', {
      vpc: props.vpc,
      description: 'Bucket guardrail functions: HTTPS to AWS APIs only',
      allowAllOutbound: false,
    });
    // The VPC endpoints and, in a VPC with a NAT gateway, the public AWS endpoints: both HTTPS, nothing else.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs (VPC endpoints)');
    this.placement = { vpc: props.vpc, vpcSubnets, securityGroups: [this.securityGroup] };

    const endpoints: Record<string, ec2.GatewayVpcEndpoint | ec2.InterfaceVpcEndpoint> = {};
    if (props.endpoints) {
      const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointsSecurityGroup', {
        vpc: props.vpc,
        description: 'Bucket guardrail VPC endpoints: HTTPS from the guardrail functions only',
        allowAllOutbound: false,
      });
      endpointSecurityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(443), 'HTTPS from the guardrail functions');
      this.endpointSecurityGroup = endpointSecurityGroup;
      for (const service of endpointServices(props.needs)) {
        const endpoint =
          service.kind === 'gateway'
            ? new ec2.GatewayVpcEndpoint(this, service.id, {
                vpc: props.vpc,
                service: service.service === 's3' ? ec2.GatewayVpcEndpointAwsService.S3 : ec2.GatewayVpcEndpointAwsService.DYNAMODB,
                subnets: [vpcSubnets],
              })
            : new ec2.InterfaceVpcEndpoint(this, service.id, {
                vpc: props.vpc,
                service: new ec2.InterfaceVpcEndpointAwsService(service.service),
                subnets: vpcSubnets,
                securityGroups: [endpointSecurityGroup],
                open: false,
                privateDnsEnabled: true,
                // S3: private DNS answers for every resolver in the VPC, so `*.s3-control.<region>.amazonaws.com`
                // resolves to this endpoint (the gateway endpoint does not serve S3 Control).
                ...(service.service === 's3' ? { privateDnsOnlyForInboundResolverEndpoint: ec2.VpcEndpointPrivateDnsOnlyForInboundResolverEndpoint.ALL_RESOLVERS } : {}),
              });
        endpoint.addToPolicy(
          new iam.PolicyStatement({
            sid: 'ThisAccountPrincipalsOnly',
            principals: [new iam.AnyPrincipal()],
            actions: [`${service.actionPrefix}:*`],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:PrincipalAccount': Stack.of(this).account } },
          }),
        );
        endpoints[service.id] = endpoint;
      }
    }
    this.endpoints = endpoints;
  }

  attach(fn: lambda.Function, role: iam.IRole, id: string): void {
    // Lambda creates and deletes the function's network interfaces with its execution role. The function waits for
    // this policy (it is checked when the function is created) and is deleted before it.
    const policy = new iam.Policy(this, `${id}NetworkInterfaces`, {
      statements: [new iam.PolicyStatement({ sid: 'ManageVpcNetworkInterfaces', actions: [...NETWORK_INTERFACE_ACTIONS], resources: ['*'] })],
      roles: [role],
    });
    fn.node.addDependency(policy);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda attaches a function to its VPC with the execution role: ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets have no resource type, and the network interfaces Lambda creates and deletes do not exist (or have no known ID) when the policy is written.',
    });
  }
}

/** Warns when the covered regions go beyond the region whose endpoints the functions use. */
export function warnIfOtherRegions(scope: IConstruct, coveredRegions: readonly string[] | undefined): void {
  const home = Stack.of(scope).region;
  const others = (coveredRegions ?? []).filter((region) => region !== home);
  if (others.length === 0) return;
  Annotations.of(scope).addWarningV2(
    'bucket-guardrail:vpc-other-regions',
    `The guardrail's functions run in a VPC and act in ${others.join(', ')} too (S3 and CloudTrail calls in each covered region). ` +
      'VPC endpoints serve their own region only: the VPC needs a route to those regions\' AWS endpoints (a NAT gateway or a Transit Gateway), or those calls time out.',
  );
}

export interface IsolatedVpcProps {
  /** Retention of the flow log group. */
  readonly flowLogRetention: logs.RetentionDays;
  /**
   * `RemovalPolicy.DESTROY` (a trial): the flow log group and its key (7-day pending window) are deleted with the stack.
   * @default RemovalPolicy.RETAIN - the flow log group and its key are kept when the stack is deleted
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A VPC for the guardrail alone: one isolated subnet in each of two Availability Zones, no NAT gateway, no internet
 * gateway, and flow logs (all traffic) to a log group under a new customer managed key that CloudWatch Logs may use.
 * Construct IDs: `<id>`, `<id>FlowLogsKey`, `<id>FlowLogs`.
 */
export function newIsolatedVpc(scope: Construct, id: string, props: IsolatedVpcProps): ec2.Vpc {
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  const vpc = new ec2.Vpc(scope, id, {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Functions', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
  const key = newLogsKey(scope, `${id}FlowLogsKey`, 'Bucket guardrail VPC flow logs');
  const logGroup = new logs.LogGroup(scope, `${id}FlowLogs`, { retention: props.flowLogRetention, encryptionKey: key, removalPolicy: RemovalPolicy.RETAIN });
  vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup), trafficType: ec2.FlowLogTrafficType.ALL });
  // A trial: the key (7-day pending window) and the log group go with the stack, like the guardrail's own.
  if (removalPolicy === RemovalPolicy.DESTROY) {
    for (const resource of [vpc, key, logGroup]) Aspects.of(resource).add(new DestroyOnDelete());
  }
  // '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup' (cdk.json) strips the default security group's rules with a
  // function of the CDK's own, which takes no VPC setting.
  const restrictDefault = Stack.of(scope).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  if (restrictDefault !== undefined) {
    acknowledgeControl(
      restrictDefault,
      'CT.LAMBDA.PR.3',
      'The CDK function that removes the rules of the created VPC\'s default security group runs at deploy time only and calls the EC2 API, which an isolated VPC reaches only through an EC2 interface endpoint kept for that one call.',
    );
  }
  return vpc;
}
