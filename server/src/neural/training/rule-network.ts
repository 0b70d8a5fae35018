/**
 * Which network and ROC computation a rule asks for, decided as rspamd 4.1.5 decides (NL `default_architecture`):
 * the funnel network when the rule sets any of `layers`, `dropout`, `use_layernorm`; otherwise the symbol network,
 * whose graph is the one 3.4 builds (so a 3.4 rule trains exactly as before).
 */
import type { NeuralRuleConfig } from '../neural-config.js';
import type { FunnelOptions } from './funnel-network.js';

export function ruleNetwork(rule: NeuralRuleConfig): FunnelOptions | undefined {
  if (rule.layers === undefined && rule.dropout === undefined && rule.use_layernorm === undefined) return undefined;
  return { layers: rule.layers, dropout: rule.dropout, useLayernorm: rule.use_layernorm, activation: rule.activation };
}

export function ruleRoc(rule: NeuralRuleConfig): { misclassificationCost: number } | undefined {
  return rule.roc_enabled ? { misclassificationCost: rule.roc_misclassification_cost } : undefined;
}
