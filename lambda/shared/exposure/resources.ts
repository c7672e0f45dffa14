/**
 * Which parts of this bucket a statement's Resource (or NotResource) reaches: the bucket ARN itself and
 * the objects under it. ARN matching is case-sensitive; `*` and `?` are wildcards.
 */
import { globMatch, hasPolicyVariable, hasWildcard, matchesEverythingUnder, matchesSomethingUnder } from './glob';

/** The objects an Allow statement reaches: all of them, some patterns, or none. */
export type ObjectReach = { readonly kind: 'all' } | { readonly kind: 'some'; readonly patterns: readonly string[] } | { readonly kind: 'none' };

export interface AllowReach {
  readonly bucket: boolean;
  readonly objects: ObjectReach;
}

/** What a Deny statement certainly covers. */
export interface DenyReach {
  readonly bucket: boolean;
  /** Tells whether this Deny covers every object an Allow pattern reaches (`'all'` = every object). */
  readonly coversObjects: (allowPattern: string | 'all') => boolean;
}

/** The partition named by an ARN pattern (when written without a wildcard), else `aws`. */
function partitionOf(pattern: string): string {
  if (!pattern.startsWith('arn:')) return 'aws';
  const end = pattern.indexOf(':', 4);
  const partition = end === -1 ? '' : pattern.slice(4, end);
  return partition !== '' && !hasWildcard(partition) ? partition : 'aws';
}

function bucketArn(pattern: string, bucket: string): string {
  return `arn:${partitionOf(pattern)}:s3:::${bucket}`;
}

function objectPrefix(pattern: string, bucket: string): string {
  return `${bucketArn(pattern, bucket)}/`;
}

/** Policy variables resolve per request; for an Allow, read them as a wildcard (the widest reading). */
function widenVariables(pattern: string): string {
  return hasPolicyVariable(pattern) ? pattern.replace(/\$\{[^}]*\}/g, '*') : pattern;
}

export function allowReach(patterns: readonly string[], notResource: boolean, bucket: string): AllowReach {
  const widened = patterns.map(widenVariables);
  if (notResource) {
    // Everything except the listed resources: the bucket unless listed; all objects unless some listed.
    const bucketExcluded = widened.some((p) => globMatch(p, bucketArn(p, bucket)));
    const everyObjectExcluded = widened.some((p) => matchesEverythingUnder(p, objectPrefix(p, bucket)));
    return {
      bucket: !bucketExcluded,
      objects: everyObjectExcluded ? { kind: 'none' } : { kind: 'all' },
    };
  }
  let reachesBucket = false;
  let allObjects = false;
  const some: string[] = [];
  for (const pattern of widened) {
    if (globMatch(pattern, bucketArn(pattern, bucket))) reachesBucket = true;
    const prefix = objectPrefix(pattern, bucket);
    if (matchesEverythingUnder(pattern, prefix)) allObjects = true;
    else if (matchesSomethingUnder(pattern, prefix)) some.push(pattern);
  }
  const objects: ObjectReach = allObjects ? { kind: 'all' } : some.length > 0 ? { kind: 'some', patterns: some } : { kind: 'none' };
  return { bucket: reachesBucket, objects };
}

export function denyReach(patterns: readonly string[], notResource: boolean, bucket: string): DenyReach {
  if (notResource) {
    // A Deny on everything except the listed resources. A listed pattern with a policy variable could
    // exclude anything, so it makes the Deny cover nothing for certain.
    if (patterns.some(hasPolicyVariable)) return { bucket: false, coversObjects: () => false };
    const bucketCovered = !patterns.some((p) => globMatch(p, bucketArn(p, bucket)));
    const objectsCovered = !patterns.some((p) => matchesSomethingUnder(p, objectPrefix(p, bucket)));
    return { bucket: bucketCovered, coversObjects: () => objectsCovered };
  }
  const usable = patterns.filter((p) => !hasPolicyVariable(p));
  const bucketCovered = usable.some((p) => globMatch(p, bucketArn(p, bucket)));
  const coversAll = usable.some((p) => matchesEverythingUnder(p, objectPrefix(p, bucket)));
  return {
    bucket: bucketCovered,
    coversObjects: (allowPattern) => {
      if (coversAll) return true;
      if (allowPattern === 'all') return false;
      return usable.some((deny) => denyPatternCovers(deny, allowPattern));
    },
  };
}

/** Conservative glob inclusion: true only when every string the Allow pattern matches, the Deny matches. */
function denyPatternCovers(deny: string, allow: string): boolean {
  if (deny === allow) return true;
  if (!hasWildcard(allow)) return globMatch(deny, allow);
  if (deny.endsWith('*')) {
    const stem = deny.slice(0, -1);
    if (!hasWildcard(stem) && allow.startsWith(stem)) return true;
  }
  return false;
}
