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
 * Inside a critical region no JNI call and no allocation may happen: only the product runs.
 * Built by build.sh with gcc; the Java side (PinnedGemm.java) falls back to copies without it.
 */
#include <dlfcn.h>
#include <jni.h>

typedef void (*sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha,
                         const float *a, int lda, const float *b, int ldb, float beta, float *c,
                         int ldc);

static sgemm_fn sgemm;

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
  return NULL;
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
