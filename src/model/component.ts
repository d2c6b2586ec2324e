/** The three z/OS Communications Server trace components zctrace reads. */
export const COMPONENTS = ['SYSTCPDA', 'SYSTCPOT', 'SYSTCPIS'] as const;
export type Component = (typeof COMPONENTS)[number];

export function isComponent(value: string): value is Component {
  return (COMPONENTS as readonly string[]).includes(value);
}
