import { App, Stack } from 'aws-cdk-lib';
import { PublicBucketGuardrail } from 'bucket-guardrail';

const app = new App();
const stack = new Stack(app, 'MyGuardrail');

new PublicBucketGuardrail(stack, 'Guardrail', {
  alertEmails: ['oncall@example.com'],
});

app.synth();
