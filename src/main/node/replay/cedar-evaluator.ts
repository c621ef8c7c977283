/**
 * A bundle compiled once for evaluation: cedar-wasm 4.13's preparsed policy
 * set (and schema) live in the thread's wasm instance, so each decision pays
 * for the request only, never for parsing the policies again.
 *
 * One request must not cost the others their replay. A request over a cap
 * (request-limits.ts) never reaches Cedar. If Cedar still throws (a trap
 * inside the wasm leaves the instance failing every later call), this
 * thread's instance is replaced (`reloadCedar`) and that one decision is an
 * engine failure; each evaluator preparses its bundle again in the new
 * instance before its next decision. The honest path pays one comparison.
 */
import { REQUEST_LIMITS, requestOverLimit, type RequestLimits } from '../../../shared/replay/request-limits';
import { EvaluationError, type CedarAnswer, type CedarRequest, type DecisionEvaluator } from '../../../shared/replay/types';
import type { BundleSource } from './bundle-loader';
import { cedar, reloadCedar, type CedarModule } from './cedar';

/** What a decision whose evaluation broke the engine says; no detail of the error, which differs between threads. */
export const ENGINE_FAILURE_MESSAGE =
  'the Cedar engine failed while evaluating this request (it ran out of stack or memory, or stopped on an internal error), so this decision cannot be replayed; the engine was restarted and the other decisions were evaluated as usual';

export function compileBundle(bundle: BundleSource, limits: Readonly<RequestLimits> = REQUEST_LIMITS): DecisionEvaluator {
  // The cache is per wasm instance (per thread) and never shrinks; keying it by the
  // content digest (which covers policies.cedar and the schema) keeps one entry per bundle.
  const id = bundle.digest;
  const policies: Record<string, string> = {};
  for (const p of bundle.policies) policies[p.id] = p.text;
  const hasSchema = bundle.schemaText !== null;
  let preparedIn: CedarModule | null = null;
  const prepare = () => {
    const parsed = cedar.preparsePolicySet(id, { staticPolicies: policies });
    if (parsed.type === 'failure') throw new Error(`bundle ${bundle.name}@${bundle.version} does not parse: ${parsed.errors.map((e) => e.message).join('; ')}`);
    if (hasSchema) {
      const schema = cedar.preparseSchema(id, bundle.schemaText!);
      if (schema.type === 'failure') throw new Error(`bundle ${bundle.name}@${bundle.version}: schema does not parse`);
    }
    preparedIn = cedar;
  };
  prepare();
  const schemaName = hasSchema ? id : undefined;
  const bundleEntities = bundle.entities as never[];
  const approvalPolicies = new Set(bundle.policies.filter((p) => p.approval).map((p) => p.id));
  return {
    digest: bundle.digest,
    approvalPolicies,
    authorize(request: CedarRequest): CedarAnswer {
      // Refuse what makes cedar-wasm throw or labour before it gets there.
      const problem = requestProblem(request, limits);
      if (problem) throw new EvaluationError(problem);
      if (preparedIn !== cedar) prepare();
      const entities = request.entities && request.entities.length > 0 ? bundleEntities.concat(request.entities as never[]) : bundleEntities;
      let answer: ReturnType<CedarModule['statefulIsAuthorized']>;
      try {
        answer = cedar.statefulIsAuthorized({
          principal: request.principal,
          action: request.action,
          resource: request.resource,
          context: request.context as never,
          entities,
          preparsedPolicySetId: id,
          preparsedSchemaName: schemaName,
          validateRequest: hasSchema,
        });
      } catch {
        // Cedar answers refusals as values; a throw is the engine itself failing.
        reloadCedar();
        throw new EvaluationError(ENGINE_FAILURE_MESSAGE, true);
      }
      if (answer.type === 'failure') throw new EvaluationError(answer.errors.map((e) => e.message).join('; '));
      return {
        decision: answer.response.decision,
        reason: answer.response.diagnostics.reason,
        errors: answer.response.diagnostics.errors.map((e) => `policy "${e.policyId}": ${e.error.message}`),
      };
    },
  };
}

/** Why Cedar must not be handed this request (lone surrogates, a cap exceeded), or null. */
export function requestProblem(request: CedarRequest, limits: Readonly<RequestLimits> = REQUEST_LIMITS): string | null {
  const stack: unknown[] = [request];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return 'the request holds a string with a lone UTF-16 surrogate, which Cedar cannot represent';
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) for (const v of value) stack.push(v);
    else
      for (const [k, v] of Object.entries(value)) {
        if (!k.isWellFormed()) return 'the request holds a member name with a lone UTF-16 surrogate, which Cedar cannot represent';
        stack.push(v);
      }
  }
  return requestOverLimit(request, limits);
}
