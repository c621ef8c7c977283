/**
 * A bundle compiled once for evaluation: cedar-wasm 4.13's preparsed policy
 * set (and schema) live in the thread's wasm instance, so each decision pays
 * for the request only, never for parsing the policies again.
 */
import { EvaluationError, type CedarAnswer, type CedarRequest, type DecisionEvaluator } from '../../../shared/replay/types';
import type { BundleSource } from './bundle-loader';
import { cedar } from './cedar';

export function compileBundle(bundle: BundleSource): DecisionEvaluator {
  // The cache is per wasm instance (per thread) and never shrinks; keying it by the
  // content digest (which covers policies.cedar and the schema) keeps one entry per bundle.
  const id = bundle.digest;
  const policies: Record<string, string> = {};
  for (const p of bundle.policies) policies[p.id] = p.text;
  const parsed = cedar.preparsePolicySet(id, { staticPolicies: policies });
  if (parsed.type === 'failure') throw new Error(`bundle ${bundle.name}@${bundle.version} does not parse: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const hasSchema = bundle.schemaText !== null;
  if (hasSchema) {
    const schema = cedar.preparseSchema(id, bundle.schemaText!);
    if (schema.type === 'failure') throw new Error(`bundle ${bundle.name}@${bundle.version}: schema does not parse`);
  }
  const schemaName = hasSchema ? id : undefined;
  const bundleEntities = bundle.entities as never[];
  const approvalPolicies = new Set(bundle.policies.filter((p) => p.approval).map((p) => p.id));
  return {
    digest: bundle.digest,
    approvalPolicies,
    authorize(request: CedarRequest): CedarAnswer {
      // Refuse what makes cedar-wasm throw (and can leave its instance unusable) before it gets there.
      const problem = requestProblem(request);
      if (problem) throw new EvaluationError(problem);
      const entities = request.entities && request.entities.length > 0 ? bundleEntities.concat(request.entities as never[]) : bundleEntities;
      let answer: ReturnType<typeof cedar.statefulIsAuthorized>;
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
      } catch (err) {
        throw new EvaluationError(`Cedar could not evaluate this request: ${(err as Error)?.message ?? String(err)}`);
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

/** Deeper than any real authorization request; cedar-wasm throws near 127 levels. */
export const MAX_REQUEST_DEPTH = 64;

/** Why Cedar must not be handed this request (lone surrogates, absurd nesting), or null. */
export function requestProblem(request: CedarRequest): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value: request, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return 'the request holds a string with a lone UTF-16 surrogate, which Cedar cannot represent';
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_REQUEST_DEPTH) return `the request is nested deeper than ${MAX_REQUEST_DEPTH} levels`;
    if (Array.isArray(value)) for (const v of value) stack.push({ value: v, depth: depth + 1 });
    else
      for (const [k, v] of Object.entries(value)) {
        if (!k.isWellFormed()) return 'the request holds a member name with a lone UTF-16 surrogate, which Cedar cannot represent';
        stack.push({ value: v, depth: depth + 1 });
      }
  }
  return null;
}
