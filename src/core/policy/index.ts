/** The rule language: parser, compiled policy, net matching and IP handling. */
export { parseRules, type ParsedRules, type RuleDiagnostic } from './rule-parser.js';
export { compilePolicy, isAnyTarget, Policy, type CompileOptions, type PolicyRule, type SubjectKind } from './evaluator.js';
export { compilePathGlob } from './glob.js';
export { parseAuthority, type Target } from './authority.js';
export { naiveDecideNet, type NetRequest } from './net-matcher.js';
export { HOST_INTERNAL, isHostInternal, isMetadataName, type NetRule } from './net-match.js';
export { parseNetPattern, normalizeHost, portMatches, type NetPattern, type NetTarget, type PortSpec, type HostSubject } from './net-pattern.js';
export { parseIp, parseIpv4, parseIpv6, parseCidr, cidrContains, classifyAddress, isSpecialAddress, formatIpv4, formatIpv6, type IpAddress, type Cidr, type AddressClass } from './ip.js';
