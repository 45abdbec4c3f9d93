import { z } from 'zod';

/**
 * Hard limits that keep a hostile or careless intent from producing an unbounded object.
 * Istio itself allows more; nobody reads a route table longer than this in a portal.
 *
 * @public
 */
export const INTENT_LIMITS = {
  routes: 50,
  matchAlternatives: 10,
  headersPerMatch: 10,
  destinations: 20,
  canarySteps: 20,
  failover: 20,
  nameLength: 63,
  stringLength: 1024,
  accessRules: 50,
  accessCallers: 100,
  accessOperations: 50,
} as const;

/** Kubernetes label values: what a `version` or cluster name must be to become a subset label. */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** Subset and route names: DNS-1123 labels, as Istio names subsets. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Header names as Istio accepts them in a match (lower case, token characters). */
const HEADER_NAME = /^[-_a-z0-9]+$/;

const labelValue = z
  .string()
  .min(1)
  .max(INTENT_LIMITS.nameLength)
  .regex(
    LABEL_VALUE,
    'must be a Kubernetes label value (letters, digits, -, _, .)',
  );

const dnsLabel = z
  .string()
  .min(1)
  .max(INTENT_LIMITS.nameLength)
  .regex(
    DNS_LABEL,
    'must be lower case letters, digits and -, starting and ending alphanumeric',
  );

const percent = z.number().finite().min(0).max(100);

/**
 * A duration as Istio writes it: `5s`, `100ms`, `1m`, `1h`, or a decimal such as `1.5s`. Its format
 * and bounds are checked with the semantic rules (durationProblem), so that a bad duration is
 * reported together with every other problem of the intent.
 *
 * @public
 */
export const durationString = z.string().max(32);

/** @public */
export const stringMatchSchema = z
  .object({
    exact: z.string().max(INTENT_LIMITS.stringLength).optional(),
    prefix: z.string().max(INTENT_LIMITS.stringLength).optional(),
    regex: z.string().max(INTENT_LIMITS.stringLength).optional(),
  })
  .strict();

/** @public */
export const destinationSchema = z
  .object({
    version: labelValue,
    cluster: labelValue.optional(),
    weight: z.number().int('must be a whole number').min(0).max(100),
  })
  .strict();

/** @public */
export const splitSchema = z
  .array(destinationSchema)
  .min(1, 'needs at least one destination')
  .max(INTENT_LIMITS.destinations);

/** @public */
export const matchSchema = z
  .object({
    headers: z
      .record(
        z
          .string()
          .max(INTENT_LIMITS.nameLength)
          .regex(HEADER_NAME, 'must be a lower-case header name'),
        stringMatchSchema,
      )
      .optional(),
    uri: stringMatchSchema.optional(),
    method: stringMatchSchema.optional(),
    /** Query parameters by name; Istio matches them exactly or by regex, not by prefix. */
    queryParams: z
      .record(
        z.string().min(1).max(INTENT_LIMITS.nameLength),
        stringMatchSchema,
      )
      .optional(),
    /** The cluster the request comes from (`sourceLabels` on `topology.istio.io/cluster`). */
    sourceCluster: labelValue.optional(),
  })
  .strict();

/** @public */
export const faultSchema = z
  .object({
    delay: z.object({ fixed: durationString, percent }).strict().optional(),
    abort: z
      .object({ httpStatus: z.number().int('must be a whole number'), percent })
      .strict()
      .optional(),
  })
  .strict();

/** @public */
export const retriesSchema = z
  .object({
    attempts: z.number().int('must be a whole number').min(0).max(100),
    perTryTimeout: durationString.optional(),
    retryOn: z
      .array(z.string().max(64))
      .min(1, 'list at least one condition, or leave retryOn out')
      .max(30)
      .optional(),
  })
  .strict();

/** @public */
export const mirrorSchema = z
  .object({
    version: labelValue,
    cluster: labelValue.optional(),
    percent: z.number().finite(),
  })
  .strict();

/** @public */
export const routeSchema = z
  .object({
    name: dnsLabel,
    match: z
      .array(matchSchema)
      .min(1, 'needs at least one match')
      .max(INTENT_LIMITS.matchAlternatives),
    split: splitSchema,
    fault: faultSchema.optional(),
    timeout: durationString.optional(),
    retries: retriesSchema.optional(),
    mirror: mirrorSchema.optional(),
  })
  .strict();

/**
 * The checks an automatic canary must pass per cluster, interval after interval (Flagger's
 * request-success-rate and request-duration, with its threshold as `failureLimit`).
 *
 * @public
 */
export const canaryAnalysisSchema = z
  .object({
    /** How long each step runs before it is judged, and the window its metrics are read over. */
    interval: durationString,
    /** The least share of the candidate's requests, in percent, that may end without a 5xx. */
    successRateMin: percent.optional(),
    /** The most the candidate's latency percentile may be, in milliseconds. */
    latency: z
      .object({
        percentile: z.number().finite().min(50).max(99.9),
        maxMs: z.number().finite().positive().max(3_600_000),
      })
      .strict()
      .optional(),
    /** Fewer requests to the candidate in a cluster than this in an interval: inconclusive. */
    minRequests: z
      .number()
      .int('must be a whole number')
      .min(1)
      .max(1_000_000_000),
    /** Failed intervals (in any cluster) after which the canary is aborted everywhere. */
    failureLimit: z.number().int('must be a whole number').min(1).max(100),
    /**
     * Intervals in a row that cannot be judged (too few requests) after which the canary is
     * aborted: analysis that cannot see never lets a step run forever. Default 10.
     */
    inconclusiveLimit: z
      .number()
      .int('must be a whole number')
      .min(1)
      .max(1000)
      .optional(),
    /** Intervals in a row whose metrics cannot be read (Prometheus down) after which the canary is aborted. Default 4. */
    errorLimit: z
      .number()
      .int('must be a whole number')
      .min(1)
      .max(100)
      .optional(),
    /** How long one step may run without passing before the canary is aborted. Default 20 intervals. */
    progressDeadline: durationString.optional(),
  })
  .strict();

/** @public */
export const canarySchema = z
  .object({
    baseline: labelValue,
    candidate: labelValue,
    steps: z
      .array(z.number().int('must be a whole number').min(0).max(100))
      .min(1)
      .max(INTENT_LIMITS.canarySteps),
    /** 0 before the first step; 1..steps.length once started. */
    step: z.number().int('must be a whole number').min(0),
    analysis: canaryAnalysisSchema.optional(),
    /** Steps, promotes and aborts by the analysis, without a click. */
    auto: z.boolean().optional(),
  })
  .strict();

/** @public */
export const connectionPoolSchema = z
  .object({
    tcp: z
      .object({
        maxConnections: z
          .number()
          .int()
          .min(1)
          .max(2 ** 31 - 1)
          .optional(),
        connectTimeout: durationString.optional(),
      })
      .strict()
      .optional(),
    http: z
      .object({
        http1MaxPendingRequests: z
          .number()
          .int()
          .min(1)
          .max(2 ** 31 - 1)
          .optional(),
        http2MaxRequests: z
          .number()
          .int()
          .min(1)
          .max(2 ** 31 - 1)
          .optional(),
        maxRequestsPerConnection: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1)
          .optional(),
        maxRetries: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1)
          .optional(),
        idleTimeout: durationString.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** @public */
export const outlierDetectionSchema = z
  .object({
    consecutive5xxErrors: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    consecutiveGatewayErrors: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    interval: durationString.optional(),
    baseEjectionTime: durationString.optional(),
    maxEjectionPercent: z.number().int().min(0).max(100).optional(),
  })
  .strict();

/** Localities as Istio writes them: region, region/zone or region/zone/subzone. */
const locality = z
  .string()
  .min(1)
  .max(INTENT_LIMITS.stringLength)
  .regex(
    /^[^/*\s]+(\/[^/*\s]+){0,2}$/,
    'must be a region, region/zone or region/zone/subzone',
  );

/** A locality a distribute rule names, where `*` stands for any part: `us-east1/*`. */
const localityPattern = z
  .string()
  .min(1)
  .max(INTENT_LIMITS.stringLength)
  .regex(
    /^[^/\s]+(\/[^/\s]+){0,2}$/,
    'must be region, region/zone or region/zone/subzone; * matches any part',
  );

/** @public */
export const LOAD_BALANCER_SIMPLE = [
  'ROUND_ROBIN',
  'LEAST_REQUEST',
  'RANDOM',
  'PASSTHROUGH',
] as const;

/**
 * How requests are spread over a version's endpoints: one simple policy or one hash key.
 *
 * @public
 */
export const loadBalancerSchema = z
  .object({
    simple: z.enum(LOAD_BALANCER_SIMPLE).optional(),
    consistentHash: z
      .object({
        httpHeaderName: z
          .string()
          .max(INTENT_LIMITS.nameLength)
          .regex(HEADER_NAME, 'must be a lower-case header name')
          .optional(),
        httpCookie: z
          .object({
            name: z.string().min(1).max(INTENT_LIMITS.nameLength),
            ttl: durationString.optional(),
            path: z.string().max(INTENT_LIMITS.stringLength).optional(),
          })
          .strict()
          .optional(),
        useSourceIp: z.literal(true).optional(),
        httpQueryParameterName: z
          .string()
          .min(1)
          .max(INTENT_LIMITS.nameLength)
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * Locality-weighted distribution and failover by labels, beside `failover` (region to region).
 *
 * @public
 */
export const localitySchema = z
  .object({
    distribute: z
      .array(
        z
          .object({
            from: localityPattern,
            to: z.record(
              localityPattern,
              z.number().int('must be a whole number').min(0).max(100),
            ),
          })
          .strict(),
      )
      .min(1)
      .max(INTENT_LIMITS.failover)
      .optional(),
    /** Node and pod labels, most important first, e.g. topology.istio.io/network. */
    failoverPriority: z
      .array(z.string().min(1).max(317))
      .min(1)
      .max(10)
      .optional(),
  })
  .strict();

/** @public */
export const failoverSchema = z
  .array(z.object({ from: locality, to: locality }).strict())
  .max(INTENT_LIMITS.failover);

/**
 * One caller an access rule lets in: a service account of the mesh (`namespace/name`, made a
 * principal with the mesh's trust domain), a principal as SPIFFE names it without `spiffe://`
 * (another trust domain's, say), or every workload of a namespace. Exactly one is set; the rules
 * check that with the other problems, so each is reported by its path.
 *
 * @public
 */
export const accessCallerSchema = z
  .object({
    serviceAccount: z.string().max(INTENT_LIMITS.stringLength).optional(),
    principal: z.string().max(INTENT_LIMITS.stringLength).optional(),
    namespace: z.string().max(INTENT_LIMITS.stringLength).optional(),
  })
  .strict();

/**
 * Who may call the service, and optionally with which methods and paths. A request is let in when
 * any rule admits it; anyone else is answered 403 by the service's proxy.
 *
 * @public
 */
export const accessRuleSchema = z
  .object({
    from: z
      .array(accessCallerSchema)
      .min(1, 'needs at least one caller')
      .max(INTENT_LIMITS.accessCallers),
    methods: z
      .array(z.string().max(32))
      .min(1)
      .max(INTENT_LIMITS.accessOperations)
      .optional(),
    paths: z
      .array(z.string().max(INTENT_LIMITS.stringLength))
      .min(1)
      .max(INTENT_LIMITS.accessOperations)
      .optional(),
  })
  .strict();

/**
 * Access to the service, written as an Istio AuthorizationPolicy (ALLOW) on its workloads.
 *
 * @public
 */
export const accessSchema = z
  .object({
    rules: z
      .array(accessRuleSchema)
      .min(
        1,
        'needs at least one rule: an ALLOW policy without rules lets nobody in',
      )
      .max(INTENT_LIMITS.accessRules),
  })
  .strict();

/** @public */
export const trafficIntentSchema = z
  .object({
    split: splitSchema,
    routes: z.array(routeSchema).max(INTENT_LIMITS.routes).optional(),
    mirror: mirrorSchema.optional(),
    fault: faultSchema.optional(),
    timeout: durationString.optional(),
    retries: retriesSchema.optional(),
    canary: canarySchema.optional(),
    connectionPool: connectionPoolSchema.optional(),
    outlierDetection: outlierDetectionSchema.optional(),
    failover: failoverSchema.optional(),
    loadBalancer: loadBalancerSchema.optional(),
    locality: localitySchema.optional(),
    access: accessSchema.optional(),
  })
  .strict();

/** @public */
export type StringMatch = z.infer<typeof stringMatchSchema>;
/** @public */
export type Destination = z.infer<typeof destinationSchema>;
/** @public */
export type RouteMatch = z.infer<typeof matchSchema>;
/** @public */
export type Fault = z.infer<typeof faultSchema>;
/** @public */
export type Retries = z.infer<typeof retriesSchema>;
/** @public */
export type Mirror = z.infer<typeof mirrorSchema>;
/** @public */
export type TrafficRoute = z.infer<typeof routeSchema>;
/** @public */
export type Canary = z.infer<typeof canarySchema>;
/** @public */
export type CanaryAnalysis = z.infer<typeof canaryAnalysisSchema>;
/** @public */
export type ConnectionPool = z.infer<typeof connectionPoolSchema>;
/** @public */
export type OutlierDetection = z.infer<typeof outlierDetectionSchema>;
/** @public */
export type Failover = z.infer<typeof failoverSchema>;
/** @public */
export type LoadBalancer = z.infer<typeof loadBalancerSchema>;
/** @public */
export type Locality = z.infer<typeof localitySchema>;
/** @public */
export type AccessCaller = z.infer<typeof accessCallerSchema>;
/** @public */
export type AccessRule = z.infer<typeof accessRuleSchema>;
/** @public */
export type Access = z.infer<typeof accessSchema>;
/**
 * The one per-service object a developer edits; every routing object is generated from it.
 *
 * @public
 */
export type TrafficIntent = z.infer<typeof trafficIntentSchema>;
