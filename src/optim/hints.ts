// Optimizer and schedule fields from other libraries that are not nnlab fields (nor aliases), with what to write
// instead. Both readers take them: a schedule sits inside an optimizer config, so an optimizer field written
// into the schedule by mistake gets the same hint.
export const FIELD_HINTS: Readonly<Record<string, string>> = {
  betas: "nnlab takes 'beta1' and 'beta2' separately",
  nesterovMomentum: "use 'momentum' with 'nesterov': true",
  maximize: 'not supported: minimise the negated loss instead',
  globalClipnorm: "'clipNorm' is already global (over all gradients together)",
};
