import { type DocumentNode, type FieldNode, type FragmentDefinitionNode, Kind, type SelectionSetNode } from 'graphql';

/**
 * Every field an operation selects at its root, through fragment spreads and inline fragments too, in order,
 * each occurrence once (an aliased repeat is its own entry). `@skip`/`@include` are not read, so a skipped
 * field counts as well: callers that charge for root fields never charge less than what runs. Each fragment
 * is entered once, which also ends a cycle.
 */
export function rootFields(
  selectionSet: SelectionSetNode,
  document: DocumentNode | undefined,
  seen = new Set<string>(),
): FieldNode[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, document, seen);
    const name = selection.name.value;
    if (seen.has(name)) return [];
    seen.add(name);
    const fragment = document?.definitions.find(
      (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name,
    );
    return fragment ? rootFields(fragment.selectionSet, document, seen) : [];
  });
}
