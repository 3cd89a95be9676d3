// Shared by the worker's codec (which makes the marker) and the workflow interceptors
// (which refuse it): imported into the workflow bundle, so no Node modules here.

/** The key of the object a plaintext input is replaced with. */
export const PLAINTEXT_REFUSED = '$plaintextRefused';
/** The failure type of a refused start, Update or query. */
export const PLAINTEXT_REFUSED_ERROR = 'PlaintextRefused';
