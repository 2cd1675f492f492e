// `${VAR}` in header values: secrets stay out of perfgate.yml and come from the environment at
// replay time. `$${` writes a literal `${`; any other `$` is literal.

type Part = { text: string } | { variable: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parts(template: string): Part[] | string {
  const out: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i)) {
      literal += '${';
      i += 3;
    } else if (template.startsWith('${', i)) {
      const end = template.indexOf('}', i + 2);
      if (end < 0) return `unterminated '\${' in '${template}'`;
      const name = template.slice(i + 2, end);
      if (!NAME.test(name)) return `'\${${name}}' is not a valid variable name`;
      if (literal) out.push({ text: literal });
      literal = '';
      out.push({ variable: name });
      i = end + 1;
    } else {
      literal += template[i];
      i++;
    }
  }
  if (literal) out.push({ text: literal });
  return out;
}

/** A problem with the template's syntax, or undefined when it is well-formed. */
export function checkTemplate(template: string): string | undefined {
  const result = parts(template);
  return typeof result === 'string' ? result : undefined;
}

/** Names of the variables a template reads. */
export function templateVariables(template: string): string[] {
  const result = parts(template);
  return typeof result === 'string'
    ? []
    : result.flatMap((p) => ('variable' in p ? [p.variable] : []));
}

/** Expands a checked template; returns the first variable that is unset or empty instead. */
export function expandTemplate(
  template: string,
  env: Readonly<Record<string, string | undefined>>,
): { value: string } | { missing: string } {
  const result = parts(template);
  if (typeof result === 'string') throw new Error(`unchecked header template: ${result}`);
  let value = '';
  for (const part of result) {
    if ('text' in part) {
      value += part.text;
      continue;
    }
    const v = env[part.variable];
    if (v === undefined || v === '') return { missing: part.variable };
    value += v;
  }
  return { value };
}
