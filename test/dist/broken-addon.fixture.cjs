// Loads as perfgate's native addon (it has every verb) and fails as no real one does, with a
// plain Error: a way to force an internal error in a bundle from outside it.
const verbs = ['events', 'open', 'read', 'readInto', 'enable', 'disable', 'close', 'probe'];
for (const verb of [...verbs, 'setAffinity', 'getAffinity']) {
  exports[verb] = () => {
    throw new Error(`broken addon: ${verb}`);
  };
}
