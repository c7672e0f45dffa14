/**
 * The AWS Chatbot custom notification: rendered from the record alone, the documented fields only, and a text
 * preview committed under docs/alerts so the way it reads in Slack is reviewed with the code that renders it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAlert } from '../../../lambda/remediate/alert';
import { renderChatbotNotification, renderChatbotPreview } from '../../../lambda/remediate/chatbot';
import { sampleRecord } from './sample-record';

const PREVIEW = join(__dirname, '..', '..', '..', 'docs', 'alerts', 'chatbot-preview.txt');

describe('the Chatbot custom notification', () => {
  it('reads like the email: severity and bucket in the title, who, what was done, restore and exempt as next steps', () => {
    // GIVEN a contained bucket's record WHEN it is rendered
    const record = sampleRecord();
    const notification = renderChatbotNotification(record);

    // THEN it is a custom notification whose text carries what the email carries
    expect(notification).toMatchObject({ version: '1.0', source: 'custom', id: record.id, content: { textType: 'client-markdown' } });
    expect(notification.content.title).toContain(`[${record.severity.toUpperCase()}] Public S3 bucket contained: guardrail-demo-data`);
    expect(notification.content.description).toContain('PlatformEngineer/bob@example.com');
    expect(notification.content.description).toContain('Contained, and verified');
    expect(notification.content.nextSteps.join('\n')).toContain(`npx bucket-guardrail restore ${record.id}`);
    expect(notification.content.nextSteps.join('\n')).toContain('npx bucket-guardrail exempt guardrail-demo-data');
  });

  it('has no restore step when nothing was changed (report-only)', () => {
    const notification = renderChatbotNotification(sampleRecord({ outcome: 'report-only', actions: [] }));
    expect(notification.content.nextSteps.join('\n')).not.toContain('restore');
  });

  it('goes in the https message only when Chatbot is configured, leaving default and email as they are', () => {
    const record = sampleRecord();
    const plain = JSON.parse(renderAlert(record).message) as Record<string, string>;
    const withChatbot = JSON.parse(renderAlert(record, { chatbot: true }).message) as Record<string, string>;
    expect(Object.keys(plain).sort()).toEqual(['default', 'email']);
    expect(withChatbot.default).toBe(plain.default);
    expect(withChatbot.email).toBe(plain.email);
    expect(JSON.parse(withChatbot.https ?? '{}')).toEqual(renderChatbotNotification(record));
  });

  it('matches the preview committed in docs/alerts/chatbot-preview.txt (UPDATE_PREVIEW=1 rewrites it)', () => {
    const preview = renderChatbotPreview(renderChatbotNotification(sampleRecord()));
    if (process.env.UPDATE_PREVIEW === '1') writeFileSync(PREVIEW, preview);
    expect(readFileSync(PREVIEW, 'utf8')).toBe(preview);
  });
});
