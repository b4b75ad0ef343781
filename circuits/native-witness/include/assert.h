/*
 * zkpin: shadows the C library's <assert.h> while the native witness server is compiled
 * (circuits/tools/native-witness.ts puts this directory first on the include path).
 *
 * circom's generated C++ checks every `assert` of the circuit (and every failed constraint
 * `===` computed from known values) with the C `assert`, which aborts the process. Here a
 * failed assert throws zkpin::CircuitAssertFailed instead, so the long-lived server answers
 * that request with an error and keeps serving the next ones. NDEBUG is ignored on purpose:
 * a witness for an input the circuit refuses must never be returned.
 */
#undef assert
#ifdef __cplusplus
[[noreturn]] void zkpin_assert_failed(const char *expr, const char *file, unsigned line);
#define assert(e) (static_cast<bool>(e) ? void(0) : zkpin_assert_failed(#e, __FILE__, __LINE__))
#else
#error "the zkpin assert shim is for the C++ witness code only"
#endif
