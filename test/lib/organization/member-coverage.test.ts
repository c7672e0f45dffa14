/**
 * What the member accounts forward, seen from the organization app: the member rules route what the central rule
 * routes (objectAclEvents included), and the app warns when no member region hears the Multi-Region Access Point
 * calls (made in us-west-2).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { exposureEventPattern } from '../../../lib/exposure-events';
import { MRAP_EVENTS_UNHEARD_WARNING } from '../../../lib/mrap-coverage';
import { matchesEventPattern } from '../event-pattern-matcher';
import { renderIntrinsics } from '../stack-test-helpers';
import { buildOrganization, exposureRuleOf, memberTemplateOf, VALUES, type BuiltOrganization } from './organization-test-helpers';

/** A CloudTrail event in its real EventBridge shape (test/fixtures/events/doors). */
function doorEvent(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'events', 'doors', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** The member template's forwarding rule pattern, as a member account sees it. */
function memberPatternOf(built: BuiltOrganization): Record<string, unknown> {
  const rules = Object.values(memberTemplateOf(built).Resources).filter((resource) => resource.Type === 'AWS::Events::Rule');
  expect(rules).toHaveLength(1);
  return renderIntrinsics(rules[0].Properties.EventPattern, { values: { ...VALUES, 'AWS::AccountId': '111122223333', 'AWS::Region': 'eu-west-1' } }) as Record<string, unknown>;
}

describe('organization app, default settings (memberRegions us-east-1,eu-west-1)', () => {
  let built: BuiltOrganization;
  beforeAll(() => {
    built = buildOrganization();
  });

  it('gives the member rules the central rule\'s pattern, without object ACL events', () => {
    const pattern = memberPatternOf(built);
    expect(pattern).toEqual(exposureRuleOf(built).Properties.EventPattern);
    expect(pattern).toEqual(exposureEventPattern());
    expect(matchesEventPattern(doorEvent('put-object-acl'), pattern)).toBe(false);
  });

  it('warns at synth that no member region hears the Multi-Region Access Point calls, naming the -c memberRegions fix', () => {
    Annotations.fromStack(built.stacks.central).hasWarning(
      `/${built.stacks.central.stackName}`,
      Match.stringLikeRegexp(
        `always made in us-west-2, which is not a covered region \\(memberRegions: us-east-1,eu-west-1\\).*-c memberRegions=us-east-1,eu-west-1,us-west-2.*${MRAP_EVENTS_UNHEARD_WARNING}`,
      ),
    );
  });
});

describe('organization app with objectAclEvents and us-west-2 among the member regions', () => {
  let built: BuiltOrganization;
  beforeAll(() => {
    // GIVEN -c objectAclEvents=true -c memberRegions=us-east-1,eu-west-1,us-west-2
    built = buildOrganization({ objectAclEvents: 'true', memberRegions: 'us-east-1,eu-west-1,us-west-2' });
  });

  it('carries objectAclEvents through the StackSet: the member rules route what the central rule routes', () => {
    const pattern = memberPatternOf(built);
    expect(pattern).toEqual(exposureRuleOf(built).Properties.EventPattern);
    expect(pattern).toEqual(exposureEventPattern({ objectAclEvents: true }));
  });

  it.each(['put-object-acl', 'put-object-public-read'])('forwards %s from a member account to the central bus', (fixture) => {
    expect(matchesEventPattern(doorEvent(fixture), memberPatternOf(built))).toBe(true);
  });

  it('does not warn about Multi-Region Access Points', () => {
    Annotations.fromStack(built.stacks.central).hasNoWarning('*', Match.stringLikeRegexp(MRAP_EVENTS_UNHEARD_WARNING));
  });
});
