/** snake_case of a camelCase name: sigmoidDerivative → sigmoid_derivative. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** camelCase of a snake_case name: kl_sparsity_weight_gradient → klSparsityWeightGradient. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
