import { csvField, renderCsv, renderJson, renderMarkdown, renderTable, shortPrincipal, summaryLine } from '../../../cli/audit/render-text';
import { summarise } from '../../../cli/audit/report';
import { toAuditRow } from '../../../cli/audit/rows';
import { loadRecord, recordAt } from './records';

const range = { from: new Date('2026-11-15T00:00:00Z'), to: new Date('2026-11-22T00:00:00Z') };
const records = [loadRecord('remediated-strip-public-grants'), loadRecord('remediated-block-public-access')];
const rows = records.map(toAuditRow);
const summary = summarise(rows, range);

describe('text renderers', () => {
  test('the table lists one line per record, newest first, and the totals', () => {
    const lines = renderTable(rows, summary, 200).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\)\s+BUCKET\s+OUTCOME\s+EVENT\s+WHO\s+PUBLIC\s+CONTAINED IN$/);
    expect(lines[1]).toMatch(/^2026-11-21 22:41:17\s+vendor-uploads-2019\s+remediated\s+PutBucketAcl\s+user\/legacy-deployer\s+list,write\s+2\.2 s$/);
    expect(lines[2]).toMatch(/^2026-11-20 09:14:03\s+www-example-shop\s+remediated\s+PutBucketPolicy\s+assumed-role\/DeveloperAccess\/alice@example.com\s+read\s+2\.4 s$/);
    expect(lines[4]).toBe(summaryLine(summary));
    expect(lines[4]).toContain('2 records from 2026-11-15T00:00:00.000Z to 2026-11-22T00:00:00.000Z: remediated 2; time to contain median 2.3 s, p99 2.4 s (2 contained)');
  });

  test('the table fits a narrow terminal by cutting the principal and bucket columns', () => {
    const lines = renderTable(rows, summary, 90).split('\n').slice(0, 3);
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(90);
    }
    expect(lines[2]).toContain('…');
  });

  test('an empty range says so', () => {
    expect(renderTable([], summarise([], range))).toContain('(no records in this range)');
  });

  test('CSV has a header, one quoted line per record and defuses formulas', () => {
    const hostile = toAuditRow(recordAt('2026-11-20T10:00:00Z', 'remediated', 'b', { actor: { arn: '=HYPERLINK("http://evil")', userAgent: '+cmd|" /C calc"!A0' } }));
    const csv = renderCsv([hostile]);
    const [header, line] = csv.split('\r\n');
    expect(header).toBe('id,kind,eventTime,bucket,account,region,eventName,outcome,mode,strategy,principal,sourceIp,userAgent,accessKeyId,publicAccess,timeToContainMs,why,actions,changes,error');
    expect(line).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(line).toContain(`"'+cmd|"" /C calc""!A0"`);
  });

  test.each([
    [undefined, ''],
    [42, '42'],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
  ])('csvField(%j) is %s', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  test('Markdown escapes pipes and HTML and gives the details of each record with a diff block', () => {
    const hostile = toAuditRow(recordAt('2026-11-20T10:00:00Z', 'remediated', 'b|c', { actor: { arn: '<script>x</script>' } }));
    const md = renderMarkdown([hostile, ...rows], summarise([hostile, ...rows], range));
    expect(md).toContain('| 2026-11-20T10:00:00Z | b\\|c | remediated |');
    expect(md).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(md).not.toContain('<script>');
    expect(md).toContain('- Who: arn:aws:iam::111122223333:user/legacy-deployer from 198.51.100.7');
    expect(md).toContain('```diff\n- acl.Grants[]: {"Grantee":{"Type":"Group","URI":"http://acs.amazonaws.com/groups/global/AllUsers"},"Permission":"WRITE"}');
  });

  test('JSON holds the summary and the records as stored', () => {
    const parsed = JSON.parse(renderJson(summary, records)) as { summary: unknown; records: unknown[] };
    expect(parsed.summary).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(parsed.records).toEqual(records);
  });

  test.each([
    ['arn:aws:sts::111122223333:assumed-role/Admin/alice', 'assumed-role/Admin/alice'],
    ['arn:aws:iam::111122223333:user/bob', 'user/bob'],
    ['arn:aws:iam::111122223333:root', 'root'],
    ['cloudformation.amazonaws.com', 'cloudformation.amazonaws.com'],
  ])('shortPrincipal(%s) is %s', (arn, short) => {
    expect(shortPrincipal(arn)).toBe(short);
  });
});
