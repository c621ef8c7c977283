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
      const entities = request.entities && request.entities.length > 0 ? bundleEntities.concat(request.entities as never[]) : bundleEntities;
      const answer = cedar.statefulIsAuthorized({
        principal: request.principal,
        action: request.action,
        resource: request.resource,
        context: request.context as never,
        entities,
        preparsedPolicySetId: id,
        preparsedSchemaName: schemaName,
        validateRequest: hasSchema,
      });
      if (answer.type === 'failure') throw new EvaluationError(answer.errors.map((e) => e.message).join('; '));
      return {
        decision: answer.response.decision,
        reason: answer.response.diagnostics.reason,
        errors: answer.response.diagnostics.errors.map((e) => `policy "${e.policyId}": ${e.error.message}`),
      };
    },
  };
}
