const integer = new Intl.NumberFormat("en-US");
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 4 });

export function formatTokens(value: number): string {
  return integer.format(value);
}

export function formatCost(value: number): string {
  return usd.format(value);
}
