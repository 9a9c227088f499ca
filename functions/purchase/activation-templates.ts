/**
 * `CONNECT_ACTIVATION_TEMPLATE_ID`: one template for every product (`TL-…`), or one per product
 * (`PRD-…:TL-…,PRD-…:TL-…`, with an optional `*:TL-…` for the others). Unset or empty: no template, the
 * purchase approves with the welcome tile.
 */
export type ActivationTemplates = (productId: string) => string | undefined;

export function parseActivationTemplates(value: string | undefined): ActivationTemplates {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const byProduct = new Map<string, string>();
  for (const entry of entries) {
    const separator = entry.lastIndexOf(':');
    const [product, template] =
      separator < 0 ? ['*', entry] : [entry.slice(0, separator).trim(), entry.slice(separator + 1).trim()];
    if (!/^TL-[\w-]+$/.test(template)) {
      throw new Error(`CONNECT_ACTIVATION_TEMPLATE_ID: "${entry}" is not a template id (TL-…) or PRD-…:TL-…`);
    }
    byProduct.set(product, template);
  }
  return (productId) => byProduct.get(productId) ?? byProduct.get('*');
}
