#!/usr/bin/env node
/**
 * The CDK app: parse and validate the cdk.json context once, build the stacks, synthesize.
 *
 * Home region: context `homeRegion`, else the CLI's CDK_DEFAULT_REGION, else us-east-1. The account is left
 * to deploy time, so `npx cdk synth` works offline with no credentials; only `-c vpc=<VPC ID>` takes the CLI's
 * CDK_DEFAULT_ACCOUNT, because the VPC lookup needs it.
 *
 * With `-c organization=true` the app is the organization-wide one (central stack, member StackSet and, with
 * `preventive`, the SCP stack) instead of the single-account one.
 */
import { App } from 'aws-cdk-lib';
import { AppConfigError, collectContext, parseAppConfig } from '../lib/config';
import { buildGuardrailApp } from '../lib/guardrail-app';
import { buildOrganizationGuardrailApp } from '../lib/organization/organization-app';

const app = new App();
try {
  const config = parseAppConfig(collectContext((key) => app.node.tryGetContext(key), app.node.getAllContext()), {
    defaultRegion: process.env.CDK_DEFAULT_REGION,
    // Only a VPC lookup (-c vpc=vpc-…) pins the account; otherwise synth stays account-agnostic and offline.
    defaultAccount: process.env.CDK_DEFAULT_ACCOUNT,
  });
  if (config.organization) {
    buildOrganizationGuardrailApp(app, config);
  } else {
    buildGuardrailApp(app, config);
  }
} catch (error) {
  if (error instanceof AppConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
