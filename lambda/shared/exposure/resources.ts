/**
 * Which parts of this bucket a statement's Resource (or NotResource) reaches: the bucket ARN itself and
 * the objects under it. ARN matching is case-sensitive; `*` and `?` are wildcards. The same questions are
 * asked of an access point (its ARN and `…/object/…`) through a `ResourceTarget`.
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

/**
 * How a statement reads when part of the target's ARN is unknown: `widest` for an Allow (anything the
 * pattern could mean), `narrowest` for a Deny (only what it certainly covers).
 */
export type Reading = 'widest' | 'narrowest';

/** What a Resource pattern is matched against: a bucket, or an access point with its own ARN shape. */
export interface ResourceTarget {
  /** The ARN that names the container itself (bucket or access point), as this pattern would match it. */
  readonly container: (pattern: string, reading: Reading) => string;
  /** The prefix of every object ARN under the container. */
  readonly objectPrefix: (pattern: string, reading: Reading) => string;
}

/** The partition named by an ARN pattern (when written without a wildcard), else `aws`. */
export function partitionOf(pattern: string): string {
  if (!pattern.startsWith('arn:')) return 'aws';
  const end = pattern.indexOf(':', 4);
  const partition = end === -1 ? '' : pattern.slice(4, end);
  return partition !== '' && !hasWildcard(partition) ? partition : 'aws';
}

/** A bucket: `arn:PARTITION:s3:::BUCKET` and its objects `…/KEY`, in whatever partition the pattern names. */
export function bucketTarget(bucket: string): ResourceTarget {
  const container = (pattern: string): string => `arn:${partitionOf(pattern)}:s3:::${bucket}`;
  return { container, objectPrefix: (pattern) => `${container(pattern)}/` };
}

function targetOf(target: string | ResourceTarget): ResourceTarget {
  return typeof target === 'string' ? bucketTarget(target) : target;
}

/** Policy variables resolve per request; for an Allow, read them as a wildcard (the widest reading). */
function widenVariables(pattern: string): string {
  return hasPolicyVariable(pattern) ? pattern.replace(/\$\{[^}]*\}/g, '*') : pattern;
}

export function allowReach(patterns: readonly string[], notResource: boolean, of: string | ResourceTarget): AllowReach {
  const target = targetOf(of);
  const bucketArn = (pattern: string): string => target.container(pattern, 'widest');
  const objectPrefix = (pattern: string): string => target.objectPrefix(pattern, 'widest');
  const widened = patterns.map(widenVariables);
  if (notResource) {
    // Everything except the listed resources: the bucket unless listed; all objects unless some listed.
    // Excluded only when certainly named, so unknown parts of the target's ARN are read narrowest here.
    const bucketExcluded = widened.some((p) => globMatch(p, target.container(p, 'narrowest')));
    const everyObjectExcluded = widened.some((p) => matchesEverythingUnder(p, target.objectPrefix(p, 'narrowest')));
    return {
      bucket: !bucketExcluded,
      objects: everyObjectExcluded ? { kind: 'none' } : { kind: 'all' },
    };
  }
  let reachesBucket = false;
  let allObjects = false;
  const some: string[] = [];
  for (const pattern of widened) {
    if (globMatch(pattern, bucketArn(pattern))) reachesBucket = true;
    const prefix = objectPrefix(pattern);
    if (matchesEverythingUnder(pattern, prefix)) allObjects = true;
    else if (matchesSomethingUnder(pattern, prefix)) some.push(pattern);
  }
  const objects: ObjectReach = allObjects ? { kind: 'all' } : some.length > 0 ? { kind: 'some', patterns: some } : { kind: 'none' };
  return { bucket: reachesBucket, objects };
}

export function denyReach(patterns: readonly string[], notResource: boolean, of: string | ResourceTarget): DenyReach {
  const target = targetOf(of);
  // A NotResource Deny covers the target unless a listed pattern could name it: read unknown parts widest.
  const excludedArn = (pattern: string): string => target.container(pattern, 'widest');
  const excludedPrefix = (pattern: string): string => target.objectPrefix(pattern, 'widest');
  const bucketArn = (pattern: string): string => target.container(pattern, 'narrowest');
  const objectPrefix = (pattern: string): string => target.objectPrefix(pattern, 'narrowest');
  if (notResource) {
    // A Deny on everything except the listed resources. A listed pattern with a policy variable could
    // exclude anything, so it makes the Deny cover nothing for certain.
    if (patterns.some(hasPolicyVariable)) return { bucket: false, coversObjects: () => false };
    const bucketCovered = !patterns.some((p) => globMatch(p, excludedArn(p)));
    const objectsCovered = !patterns.some((p) => matchesSomethingUnder(p, excludedPrefix(p)));
    return { bucket: bucketCovered, coversObjects: () => objectsCovered };
  }
  const usable = patterns.filter((p) => !hasPolicyVariable(p));
  const bucketCovered = usable.some((p) => globMatch(p, bucketArn(p)));
  const coversAll = usable.some((p) => matchesEverythingUnder(p, objectPrefix(p)));
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
