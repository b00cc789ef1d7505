/*
 * cblas_sgemm on Java float[] operands without copying them (issue 15, "step").
 *
 * JavaCPP's float[] overloads copy the whole array in and out (JNI Get/Release<Type>ArrayElements
 * copy on HotSpot), so ops.cpu.Nd4jGemm copied every operand into off-heap buffers: about 47 ms of
 * a 600 ms paper-size Screen2Vec step at 2 threads. Here the arrays are pinned for the product with
 * GetPrimitiveArrayCritical (no copy on HotSpot; the collector waits until the product is done) and
 * handed to the cblas_sgemm of the OpenBLAS that ND4J already loaded, found by its soname, so the
 * thread pool and thread count are the same as the copying path's.
 *
 * The same library's openblas_set_num_threads / openblas_get_num_threads are bound too: ops.cpu
 * switches OpenBLAS between one thread and the rank's allowance per product, and JavaCPP's
 * blas_set_num_threads, which ND4J's setMaxThreads calls, spends about 0.11 ms per call looking
 * for other BLAS vendors' libraries on disk (measured: 225 us per 1-2 switch pair from Java,
 * under 0.01 us calling OpenBLAS directly from C; docs/PERFORMANCE.md).
 *
 * Inside a critical region no JNI call and no allocation may happen: only the product runs.
 * Built by build.sh with gcc; the Java side (PinnedGemm.java) falls back to copies without it.
 */
#include <dlfcn.h>
#include <jni.h>

typedef void (*sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha,
                         const float *a, int lda, const float *b, int ldb, float beta, float *c,
                         int ldc);

static sgemm_fn sgemm;
static void (*set_threads)(int);
static int (*get_threads)(void);

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

/* Finds cblas_sgemm in the already loaded library `soname`; NULL when bound, else the reason. */
JNIEXPORT jstring JNICALL Java_org_pscreen2vec_ops_cpu_PinnedGemm_bind(JNIEnv *env, jclass cls,
                                                                         jstring soname) {
  (void) cls;
  const char *name = (*env)->GetStringUTFChars(env, soname, NULL);
  if (name == NULL) {
    return NULL; /* OutOfMemoryError pending */
  }
  void *lib = dlopen(name, RTLD_NOW | RTLD_NOLOAD);
  (*env)->ReleaseStringUTFChars(env, soname, name);
  if (lib == NULL) {
    const char *why = dlerror();
    return (*env)->NewStringUTF(env, why != NULL ? why : "dlopen failed");
  }
  sgemm = (sgemm_fn) dlsym(lib, "cblas_sgemm");
  if (sgemm == NULL) {
    return (*env)->NewStringUTF(env, "the library has no cblas_sgemm");
  }
  /* optional: without them the thread count is set through ND4J (slower) */
  set_threads = (void (*)(int)) dlsym(lib, "openblas_set_num_threads");
  get_threads = (int (*)(void)) dlsym(lib, "openblas_get_num_threads");
  if (set_threads == NULL || get_threads == NULL) {
    set_threads = NULL;
    get_threads = NULL;
  }
  return NULL;
}

/* OpenBLAS's thread count, or -1 when the library has no openblas_get_num_threads. */
JNIEXPORT jint JNICALL Java_org_pscreen2vec_ops_cpu_PinnedGemm_threads(JNIEnv *env, jclass cls) {
  (void) env;
  (void) cls;
  return get_threads != NULL ? get_threads() : -1;
}

/* Sets OpenBLAS's thread count; false when the library has no openblas_set_num_threads. */
JNIEXPORT jboolean JNICALL Java_org_pscreen2vec_ops_cpu_PinnedGemm_setThreads(JNIEnv *env,
                                                                               jclass cls,
                                                                               jint threads) {
  (void) env;
  (void) cls;
  if (set_threads == NULL) {
    return JNI_FALSE;
  }
  set_threads(threads);
  return JNI_TRUE;
}

/* C[co..] = alpha op(A[ao..]) op(B[bo..]) + beta C[co..], row-major; A, B, C may be one array. */
JNIEXPORT void JNICALL Java_org_pscreen2vec_ops_cpu_PinnedGemm_sgemm(
    JNIEnv *env, jclass cls, jboolean ta, jboolean tb, jint m, jint n, jint k, jfloat alpha,
    jfloatArray a, jint ao, jint lda, jfloatArray b, jint bo, jint ldb, jfloat beta,
    jfloatArray c, jint co, jint ldc) {
  (void) cls;
  jboolean bSame = (*env)->IsSameObject(env, a, b);
  jboolean cIsA = (*env)->IsSameObject(env, c, a);
  jboolean cIsB = (*env)->IsSameObject(env, c, b);
  float *pa = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
  float *pb = bSame ? pa : (*env)->GetPrimitiveArrayCritical(env, b, NULL);
  float *pc = cIsA ? pa : cIsB ? pb : (*env)->GetPrimitiveArrayCritical(env, c, NULL);
  if (pa != NULL && pb != NULL && pc != NULL) {
    sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, pa + ao, lda,
          pb + bo, ldb, beta, pc + co, ldc);
  }
  /* released in reverse order; only C is written back (a no-op where the array was pinned) */
  if (pc != NULL && !cIsA && !cIsB) {
    (*env)->ReleasePrimitiveArrayCritical(env, c, pc, 0);
  }
  if (pb != NULL && !bSame) {
    (*env)->ReleasePrimitiveArrayCritical(env, b, pb, cIsB ? 0 : JNI_ABORT);
  }
  if (pa != NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, a, pa, cIsA ? 0 : JNI_ABORT);
  }
}
