// The Node-API face of polyak's native kernels: matrix products, bias + activation, Adam, Polyak averaging and sums
// of squares over Float32Arrays (views on the wasm backend's heap or plain arrays), nothing allocated on the JS side.
// The kernels (gemm.inc.cc) are compiled once per instruction set; the widest one this CPU supports is used.

#include <node_api.h>

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#define POLYAK_DECLARE(ns)                                                                                          \
  namespace polyak {                                                                                                \
  namespace ns {                                                                                                    \
  void gemm(const float*, const float*, float*, int, int, int, bool, bool, int, int);                              \
  void biasActivation(float*, const float*, int, int, int);                                                        \
  void adam(const float*, const float*, const float*, const float*, float*, float*, float*, std::size_t,         \
            const float*);                                                                                         \
  void polyak(const float*, const float*, float*, std::size_t, float);                                             \
  double sumSquares(const float*, std::size_t);                                                                    \
  void conv2d(const float*, const float*, float*, int, int, int, int, int, int, int, int, int, int, int, int, int,   \
              int, int);                                                                                           \
  void slice(const float*, float*, int, const int*, const int*, const int*);                                      \
  void transpose(const float*, float*, int, const int*, const int*);                                             \
  void sumAxis(const float*, float*, std::size_t, std::size_t, bool);                                              \
  void activationGradient(const float*, const float*, float*, std::size_t, int);                                  \
  bool gemmBias(const float*, const float*, float*, int, int, int, bool, bool, const float*, int, int, int);       \
  bool gemmReluGradient(const float*, const float*, float*, int, int, int, bool, bool, const float*, int, int);    \
  int tileRows();                                                                                                   \
  }                                                                                                                 \
  }

#if defined(__x86_64__)
POLYAK_DECLARE(avx512)
POLYAK_DECLARE(avx2)
POLYAK_DECLARE(sse2)
#else
POLYAK_DECLARE(generic)
#endif

namespace {

struct Kernels {
  const char* isa;
  void (*gemm)(const float*, const float*, float*, int, int, int, bool, bool, int, int);
  void (*biasActivation)(float*, const float*, int, int, int);
  void (*adam)(const float*, const float*, const float*, const float*, float*, float*, float*, std::size_t,
               const float*);
  void (*polyak)(const float*, const float*, float*, std::size_t, float);
  double (*sumSquares)(const float*, std::size_t);
  void (*conv2d)(const float*, const float*, float*, int, int, int, int, int, int, int, int, int, int, int, int, int,
                 int, int);
  void (*slice)(const float*, float*, int, const int*, const int*, const int*);
  void (*transpose)(const float*, float*, int, const int*, const int*);
  void (*sumAxis)(const float*, float*, std::size_t, std::size_t, bool);
  void (*activationGradient)(const float*, const float*, float*, std::size_t, int);
  bool (*gemmBias)(const float*, const float*, float*, int, int, int, bool, bool, const float*, int, int, int);
  bool (*gemmReluGradient)(const float*, const float*, float*, int, int, int, bool, bool, const float*, int, int);
  int (*tileRows)();
};

#define POLYAK_KERNELS(ns) \
  Kernels {                                                                                                     \
    #ns, polyak::ns::gemm, polyak::ns::biasActivation, polyak::ns::adam, polyak::ns::polyak, polyak::ns::sumSquares, \
        polyak::ns::conv2d, polyak::ns::slice, polyak::ns::transpose, polyak::ns::sumAxis,                          \
        polyak::ns::activationGradient, polyak::ns::gemmBias, polyak::ns::gemmReluGradient, polyak::ns::tileRows    \
  }

Kernels pick() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return POLYAK_KERNELS(avx512);
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return POLYAK_KERNELS(avx2);
  return POLYAK_KERNELS(sse2);
#else
  return POLYAK_KERNELS(generic);
#endif
}

Kernels kernels;

// A persistent pool of worker threads for the products: the calling (JavaScript) thread computes part 0 of a task and
// the workers the other parts, so `threads` counts the caller. Workers spin briefly after each task (the next product
// of an update follows within microseconds), then sleep on a condition variable until the next one: between updates
// (while the environment steps on the JavaScript thread) they hold no core. One task at a time: the addon is only
// called from the JavaScript thread that loaded it.
class Pool {
 public:
  static constexpr int kMaxThreads = 64;

  int size() const { return workers_ + 1; }

  // The threads a product started on `thread` uses: the pool for its owner, 1 for any other thread.
  int sizeFor(pthread_t thread) const {
    return hasOwner_.load(std::memory_order_acquire) && pthread_equal(owner_, thread) ? size() : 1;
  }

  // Sets the number of threads (caller included), starting or stopping workers; returns the number in use (fewer than
  // asked when a thread could not be started). The calling thread becomes the one whose tasks are split.
  int resize(int threads) {
    if (threads < 1) threads = 1;
    if (threads > kMaxThreads) threads = kMaxThreads;
    // the first thread to size the pool owns it: another (a worker-thread actor setting its backend) must not stop
    // workers that may be computing the owner's product; its own products run whole on its thread
    if (hasOwner_.load(std::memory_order_acquire) && !pthread_equal(owner_, pthread_self())) return 1;
    stopAll();
    owner_ = pthread_self();
    hasOwner_.store(true, std::memory_order_release);
    // a worker that starts after the first task was posted must still see it: it counts from this generation
    const uint64_t start = generation_.load(std::memory_order_acquire);
    for (int i = 0; i < threads - 1; ++i) {
      slots_[i] = Slot{this, i + 1, start};
      if (pthread_create(&threads_[i], nullptr, &Pool::main, &slots_[i]) != 0) break;
      ++workers_;
    }
    return size();
  }

  // Runs fn(ctx, part, parts) for part = 0 .. parts − 1; parts ≤ size(). Parts are claimed, not assigned: the caller
  // takes the next unclaimed part until none is left, so a worker that is asleep or descheduled (other processes on
  // the cores) costs at most the part it already claimed, and never leaves the caller waiting for a part nobody
  // started.
  // Other threads (worker-thread actors that load the addon too) run every task whole on their own thread.
  void run(void (*fn)(void*, int, int), void* ctx, int parts) {
    if (parts > size()) parts = size();
    if (parts > 1 && !(hasOwner_.load(std::memory_order_acquire) && pthread_equal(owner_, pthread_self()))) parts = 1;
    if (parts <= 1) {
      fn(ctx, 0, 1);
      return;
    }
    fn_ = fn;
    ctx_ = ctx;
    parts_ = parts;
    done_.store(0, std::memory_order_relaxed);
    uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation = generation_.load(std::memory_order_relaxed) + 1;
      // publishes the task: a worker that claims a part of this generation sees fn_, ctx_ and parts_
      ticket_.store(generation << 32, std::memory_order_release);
      generation_.store(generation, std::memory_order_release);
    }
    wake_.notify_all();
    const int mine = claim(generation);
    while (done_.load(std::memory_order_acquire) != parts) pause();
    // only the owner thread writes them; atomics because any thread may read them (handOffs from a worker-thread actor)
    splitRuns_.store(splitRuns_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (mine == parts)
      unhelpedRuns_.store(unhelpedRuns_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  // Of the tasks split so far (`split`), how many the caller computed whole because no worker claimed a part before
  // it had finished its own (`unhelped`): a worker descheduled by other threads or processes on the cores. Only the
  // owner's thread splits tasks, so only its tasks are counted.
  uint64_t splitRuns() const { return splitRuns_.load(std::memory_order_relaxed); }
  uint64_t unhelpedRuns() const { return unhelpedRuns_.load(std::memory_order_relaxed); }

 private:
  struct Slot {
    Pool* pool;
    int index;
    uint64_t start;
  };

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  static void* main(void* arg) {
    Slot* slot = static_cast<Slot*>(arg);
    slot->pool->work(slot->start);
    return nullptr;
  }

  void work(uint64_t seen) {
    for (;;) {
      uint64_t now = generation_.load(std::memory_order_acquire);
      // about 0.4 ms of spinning (a pause is ~18 ns on the AMD EPYC it was measured on) before sleeping
      for (int spin = 0; now == seen && spin < 20000; ++spin) {
        pause();
        now = generation_.load(std::memory_order_acquire);
      }
      if (now == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        now = generation_.load(std::memory_order_acquire);
      }
      seen = now;
      if (stopping_.load(std::memory_order_acquire)) return;
      claim(now);
    }
  }

  // Computes unclaimed parts of task `generation` until none is left; returns how many it computed. A claim is a
  // compare-and-swap on the ticket (generation, next part), so a worker that wakes late can never take a part of a
  // newer task for an older one.
  int claim(uint64_t generation) {
    for (int computed = 0;; ++computed) {
      uint64_t ticket;
      int part;
      do {
        ticket = ticket_.load(std::memory_order_acquire);
        if ((ticket >> 32) != generation) return computed;
        part = static_cast<int>(ticket & 0xffffffffu);
        if (part >= parts_) return computed;
      } while (!ticket_.compare_exchange_weak(ticket, ticket + 1, std::memory_order_acq_rel));
      fn_(ctx_, part, parts_);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void stopAll() {
    if (workers_ == 0) return;
    stopping_.store(true, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (int i = 0; i < workers_; ++i) pthread_join(threads_[i], nullptr);
    workers_ = 0;
    stopping_.store(false, std::memory_order_release);
  }

  int workers_ = 0;
  std::atomic<uint64_t> splitRuns_{0};
  std::atomic<uint64_t> unhelpedRuns_{0};
  pthread_t owner_{};
  std::atomic<bool> hasOwner_{false};
  pthread_t threads_[kMaxThreads];
  Slot slots_[kMaxThreads];
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> ticket_{0};
  std::atomic<int> done_{0};
  std::atomic<bool> stopping_{false};
  void (*fn_)(void*, int, int) = nullptr;
  void* ctx_ = nullptr;
  int parts_ = 1;
  std::mutex mutex_;
  std::condition_variable wake_;
};

// Never destroyed: at exit the workers may still wait on its condition variable.
Pool& pool = *new Pool;

// Products below this many multiply-adds run on one thread: waking a worker costs more than it saves.
constexpr double kParallelMacs = 1 << 22;
// Element-wise loops (Adam, Polyak averaging) are split from this many elements on: each part is a contiguous range,
// and every element's operations are the same whatever the split, so the bits are too.
constexpr std::size_t kParallelElements = 1 << 15;

// The start of part `part` of `parts` of n elements, at a multiple of 16 (whole vectors, whole cache lines).
std::size_t chunkStart(std::size_t n, int part, int parts) {
  if (part >= parts) return n;
  const std::size_t blocks = (n + 15) / 16;
  const std::size_t start = blocks * static_cast<std::size_t>(part) / static_cast<std::size_t>(parts) * 16;
  return start < n ? start : n;
}

bool fail(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return false;
}

// A typed array of the expected element type, or a TypeError naming `what`.
template <typename T>
bool getTyped(napi_env env, napi_value value, napi_typedarray_type expected, T** data, std::size_t* length,
              const char* what) {
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  if (!isTyped) return fail(env, what);
  napi_typedarray_type type;
  void* raw = nullptr;
  napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr);
  if (type != expected) return fail(env, what);
  *data = static_cast<T*>(raw);
  return true;
}

bool getF32(napi_env env, napi_value value, float** data, std::size_t* length, const char* what) {
  return getTyped(env, value, napi_float32_array, data, length, what);
}

bool getI32(napi_env env, napi_value value, int32_t** data, std::size_t* length, const char* what) {
  return getTyped(env, value, napi_int32_array, data, length, what);
}

// Whether a JS value is null or undefined.
bool isNullish(napi_env env, napi_value value) {
  napi_valuetype t;
  napi_typeof(env, value, &t);
  return t == napi_null || t == napi_undefined;
}

bool getF32OrNull(napi_env env, napi_value value, float** data, std::size_t* length, const char* what) {
  if (isNullish(env, value)) {
    *data = nullptr;
    *length = 0;
    return true;
  }
  return getF32(env, value, data, length, what);
}

bool getInt(napi_env env, napi_value value, int64_t* out, const char* what) {
  if (napi_get_value_int64(env, value, out) != napi_ok) return fail(env, what);
  return true;
}

bool getNumber(napi_env env, napi_value value, double* out, const char* what) {
  if (napi_get_value_double(env, value, out) != napi_ok) return fail(env, what);
  return true;
}

bool getBool(napi_env env, napi_value value, bool* out, const char* what) {
  if (napi_get_value_bool(env, value, out) != napi_ok) return fail(env, what);
  return true;
}

template <std::size_t N>
bool args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  std::size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < N) return fail(env, "polyak native: too few arguments");
  return true;
}

// gemm(a, b, c, batch, m, n, k, transA, transB, aBatchStride, bBatchStride): c[i] = op(a[i]) · op(b[i]) for each of
// `batch` products; a stride of 0 broadcasts that operand.
napi_value Gemm(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (!args(env, info, argv)) return nullptr;
  float *a, *b, *c;
  std::size_t la, lb, lc;
  int64_t batch, m, n, k, sa, sb;
  bool ta, tb;
  if (!getF32(env, argv[0], &a, &la, "gemm: a must be a Float32Array") ||
      !getF32(env, argv[1], &b, &lb, "gemm: b must be a Float32Array") ||
      !getF32(env, argv[2], &c, &lc, "gemm: c must be a Float32Array") || !getInt(env, argv[3], &batch, "gemm: batch") ||
      !getInt(env, argv[4], &m, "gemm: m") || !getInt(env, argv[5], &n, "gemm: n") ||
      !getInt(env, argv[6], &k, "gemm: k") || !getBool(env, argv[7], &ta, "gemm: transA") ||
      !getBool(env, argv[8], &tb, "gemm: transB") || !getInt(env, argv[9], &sa, "gemm: aBatchStride") ||
      !getInt(env, argv[10], &sb, "gemm: bBatchStride"))
    return nullptr;
  if (batch < 0 || m < 0 || n < 0 || k < 0 || sa < 0 || sb < 0) {
    fail(env, "gemm: negative size");
    return nullptr;
  }
  const auto need = [](int64_t count, int64_t stride, int64_t size) { return count == 0 ? 0 : (count - 1) * stride + size; };
  if (static_cast<int64_t>(la) < need(batch, sa, m * k) || static_cast<int64_t>(lb) < need(batch, sb, k * n) ||
      static_cast<int64_t>(lc) < batch * m * n) {
    fail(env, "gemm: an array is shorter than its shape");
    return nullptr;
  }
  struct Task {
    const float *a, *b;
    float* c;
    int64_t batch, m, n, k, sa, sb;
    bool ta, tb;
    static void run(void* ctx, int part, int parts) {
      const Task& t = *static_cast<const Task*>(ctx);
      for (int64_t i = 0; i < t.batch; ++i)
        kernels.gemm(t.a + i * t.sa, t.b + i * t.sb, t.c + i * t.m * t.n, static_cast<int>(t.m), static_cast<int>(t.n),
                     static_cast<int>(t.k), t.ta, t.tb, part, parts);
    }
  } task{a, b, c, batch, m, n, k, sa, sb, ta, tb};
  const bool split = m > 1 && n > 1 && static_cast<double>(m) * n * k >= kParallelMacs;
  pool.run(&Task::run, &task, split ? pool.size() : 1);
  return nullptr;
}

// setThreads(n): the threads the products use, the calling thread included (1 = no workers); returns the number in
// use. threads(): that number.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, argv)) return nullptr;
  int64_t n;
  if (!getInt(env, argv[0], &n, "setThreads: n must be an integer")) return nullptr;
  if (n < 1 || n > Pool::kMaxThreads) {
    fail(env, "setThreads: n must be between 1 and 64");
    return nullptr;
  }
  napi_value out;
  napi_create_int32(env, pool.resize(static_cast<int>(n)), &out);
  return out;
}

// handOffs() → [split, unhelped]: the tasks split across the pool so far, and how many of them the calling thread
// computed whole because no worker came (see Pool::splitRuns). Only the pool owner's tasks are split and counted.
napi_value HandOffs(napi_env env, napi_callback_info) {
  napi_value out, split, unhelped;
  napi_create_array_with_length(env, 2, &out);
  napi_create_double(env, static_cast<double>(pool.splitRuns()), &split);
  napi_create_double(env, static_cast<double>(pool.unhelpedRuns()), &unhelped);
  napi_set_element(env, out, 0, split);
  napi_set_element(env, out, 1, unhelped);
  return out;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_int32(env, pool.sizeFor(pthread_self()), &out);
  return out;
}

// biasActivation(y, bias | null, rows, n, activation): in place, activation 0 linear, 1 relu.
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!args(env, info, argv)) return nullptr;
  float *y, *bias;
  std::size_t ly, lbias;
  int64_t rows, n, act;
  if (!getF32(env, argv[0], &y, &ly, "biasActivation: y must be a Float32Array") ||
      !getF32OrNull(env, argv[1], &bias, &lbias, "biasActivation: bias must be a Float32Array or null") ||
      !getInt(env, argv[2], &rows, "biasActivation: rows") || !getInt(env, argv[3], &n, "biasActivation: n") ||
      !getInt(env, argv[4], &act, "biasActivation: activation"))
    return nullptr;
  if (rows < 0 || n < 0 || static_cast<int64_t>(ly) < rows * n || (bias != nullptr && static_cast<int64_t>(lbias) < n)) {
    fail(env, "biasActivation: an array is shorter than its shape");
    return nullptr;
  }
  kernels.biasActivation(y, bias, static_cast<int>(rows), static_cast<int>(n), static_cast<int>(act));
  return nullptr;
}

// adam(theta, g, m, v, thetaOut, mOut, vOut, constants): constants is a Float32Array [stepSize, beta1, 1 - beta1,
// beta2, 1 - beta2, sqrt(1 - beta2^t), epsilon, gradScale].
napi_value Adam(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, argv)) return nullptr;
  float* p[8];
  std::size_t len[8];
  for (int i = 0; i < 8; ++i)
    if (!getF32(env, argv[i], &p[i], &len[i], "adam: every argument must be a Float32Array")) return nullptr;
  for (int i = 1; i < 7; ++i)
    if (len[i] != len[0]) {
      fail(env, "adam: arrays differ in length");
      return nullptr;
    }
  if (len[7] < 8) {
    fail(env, "adam: constants must hold 8 values");
    return nullptr;
  }
  struct Task {
    float** p;
    std::size_t n;
    static void run(void* ctx, int part, int parts) {
      const Task& t = *static_cast<const Task*>(ctx);
      const std::size_t from = chunkStart(t.n, part, parts), to = chunkStart(t.n, part + 1, parts);
      float* const* p = t.p;
      kernels.adam(p[0] + from, p[1] + from, p[2] + from, p[3] + from, p[4] + from, p[5] + from, p[6] + from, to - from,
                   p[7]);
    }
  } task{p, len[0]};
  pool.run(&Task::run, &task, len[0] >= kParallelElements ? pool.size() : 1);
  return nullptr;
}

// polyak(online, target, out, tau)
napi_value Polyak(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, argv)) return nullptr;
  float *o, *t, *out;
  std::size_t lo, lt, lout;
  double tau;
  if (!getF32(env, argv[0], &o, &lo, "polyak: online must be a Float32Array") ||
      !getF32(env, argv[1], &t, &lt, "polyak: target must be a Float32Array") ||
      !getF32(env, argv[2], &out, &lout, "polyak: out must be a Float32Array") ||
      !getNumber(env, argv[3], &tau, "polyak: tau must be a number"))
    return nullptr;
  if (lt != lo || lout != lo) {
    fail(env, "polyak: arrays differ in length");
    return nullptr;
  }
  struct Task {
    const float *o, *t;
    float* out;
    std::size_t n;
    float tau;
    static void run(void* ctx, int part, int parts) {
      const Task& k = *static_cast<const Task*>(ctx);
      const std::size_t from = chunkStart(k.n, part, parts), to = chunkStart(k.n, part + 1, parts);
      kernels.polyak(k.o + from, k.t + from, k.out + from, to - from, k.tau);
    }
  } task{o, t, out, lo, static_cast<float>(tau)};
  pool.run(&Task::run, &task, lo >= kParallelElements ? pool.size() : 1);
  return nullptr;
}

// sumSquares(x) → number
napi_value SumSquares(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, argv)) return nullptr;
  float* x;
  std::size_t lx;
  if (!getF32(env, argv[0], &x, &lx, "sumSquares: x must be a Float32Array")) return nullptr;
  napi_value result;
  napi_create_double(env, kernels.sumSquares(x, lx), &result);
  return result;
}

// conv2d(x, w, y, n, h, w, c, kh, kw, f, oh, ow, strideH, strideW, dilationH, dilationW, padTop, padLeft): NHWC
// input, [kh, kw, c, f] filter, [n, oh, ow, f] output.
napi_value Conv2d(napi_env env, napi_callback_info info) {
  napi_value argv[18];
  if (!args(env, info, argv)) return nullptr;
  float *x, *w, *y;
  std::size_t lx, lw, ly;
  if (!getF32(env, argv[0], &x, &lx, "conv2d: x must be a Float32Array") ||
      !getF32(env, argv[1], &w, &lw, "conv2d: w must be a Float32Array") ||
      !getF32(env, argv[2], &y, &ly, "conv2d: y must be a Float32Array"))
    return nullptr;
  int64_t v[15];
  for (int i = 0; i < 15; ++i) {
    if (!getInt(env, argv[3 + i], &v[i], "conv2d: sizes must be integers")) return nullptr;
    if (v[i] < 0 || v[i] > (1 << 30)) {
      fail(env, "conv2d: a size is out of range");
      return nullptr;
    }
  }
  const int64_t n = v[0], h = v[1], wd = v[2], c = v[3], kh = v[4], kw = v[5], f = v[6], oh = v[7], ow = v[8];
  if (v[9] < 1 || v[10] < 1 || v[11] < 1 || v[12] < 1) {
    fail(env, "conv2d: strides and dilations must be at least 1");
    return nullptr;
  }
  if (static_cast<int64_t>(lx) < n * h * wd * c || static_cast<int64_t>(lw) < kh * kw * c * f ||
      static_cast<int64_t>(ly) < n * oh * ow * f) {
    fail(env, "conv2d: an array is shorter than its shape");
    return nullptr;
  }
  kernels.conv2d(x, w, y, static_cast<int>(n), static_cast<int>(h), static_cast<int>(wd), static_cast<int>(c),
                 static_cast<int>(kh), static_cast<int>(kw), static_cast<int>(f), static_cast<int>(oh),
                 static_cast<int>(ow), static_cast<int>(v[9]), static_cast<int>(v[10]), static_cast<int>(v[11]),
                 static_cast<int>(v[12]), static_cast<int>(v[13]), static_cast<int>(v[14]));
  return nullptr;
}

// slice(x, y, shape: Int32Array, begin: Int32Array, size: Int32Array)
napi_value Slice(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!args(env, info, argv)) return nullptr;
  float *x, *y;
  int32_t *shape, *begin, *size;
  std::size_t lx, ly, ls, lb, lz;
  if (!getF32(env, argv[0], &x, &lx, "slice: x must be a Float32Array") ||
      !getF32(env, argv[1], &y, &ly, "slice: y must be a Float32Array") ||
      !getI32(env, argv[2], &shape, &ls, "slice: shape must be an Int32Array") ||
      !getI32(env, argv[3], &begin, &lb, "slice: begin must be an Int32Array") ||
      !getI32(env, argv[4], &size, &lz, "slice: size must be an Int32Array"))
    return nullptr;
  if (ls < 1 || ls > 8 || lb != ls || lz != ls) {
    fail(env, "slice: rank must be 1 to 8, the same for shape, begin and size");
    return nullptr;
  }
  int64_t in = 1, out = 1;
  for (std::size_t i = 0; i < ls; ++i) {
    if (shape[i] < 0 || begin[i] < 0 || size[i] < 0 || begin[i] + static_cast<int64_t>(size[i]) > shape[i]) {
      fail(env, "slice: begin + size exceeds the shape");
      return nullptr;
    }
    in *= shape[i];
    out *= size[i];
  }
  if (static_cast<int64_t>(lx) < in || static_cast<int64_t>(ly) < out) {
    fail(env, "slice: an array is shorter than its shape");
    return nullptr;
  }
  if (out > 0) kernels.slice(x, y, static_cast<int>(ls), shape, begin, size);
  return nullptr;
}

// transpose(x, y, shape: Int32Array, perm: Int32Array)
napi_value Transpose(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, argv)) return nullptr;
  float *x, *y;
  int32_t *shape, *perm;
  std::size_t lx, ly, ls, lp;
  if (!getF32(env, argv[0], &x, &lx, "transpose: x must be a Float32Array") ||
      !getF32(env, argv[1], &y, &ly, "transpose: y must be a Float32Array") ||
      !getI32(env, argv[2], &shape, &ls, "transpose: shape must be an Int32Array") ||
      !getI32(env, argv[3], &perm, &lp, "transpose: perm must be an Int32Array"))
    return nullptr;
  if (ls < 1 || ls > 8 || lp != ls) {
    fail(env, "transpose: rank must be 1 to 8, the same for shape and perm");
    return nullptr;
  }
  bool seen[8] = {false, false, false, false, false, false, false, false};
  int64_t total = 1;
  for (std::size_t i = 0; i < ls; ++i) {
    if (perm[i] < 0 || perm[i] >= static_cast<int32_t>(ls) || seen[perm[i]] || shape[i] < 0) {
      fail(env, "transpose: perm must be a permutation of the dimensions");
      return nullptr;
    }
    seen[perm[i]] = true;
    total *= shape[i];
  }
  if (static_cast<int64_t>(lx) < total || static_cast<int64_t>(ly) < total) {
    fail(env, "transpose: an array is shorter than its shape");
    return nullptr;
  }
  kernels.transpose(x, y, static_cast<int>(ls), shape, perm);
  return nullptr;
}

// sumAxis(x, out, rows, cols, overRows): out = column sums (overRows) or row sums of a rows × cols matrix.
napi_value SumAxis(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!args(env, info, argv)) return nullptr;
  float *x, *out;
  std::size_t lx, lo;
  int64_t rows, cols;
  bool overRows;
  if (!getF32(env, argv[0], &x, &lx, "sumAxis: x must be a Float32Array") ||
      !getF32(env, argv[1], &out, &lo, "sumAxis: out must be a Float32Array") ||
      !getInt(env, argv[2], &rows, "sumAxis: rows") || !getInt(env, argv[3], &cols, "sumAxis: cols") ||
      !getBool(env, argv[4], &overRows, "sumAxis: overRows"))
    return nullptr;
  if (rows < 0 || cols < 0 || static_cast<int64_t>(lx) < rows * cols ||
      static_cast<int64_t>(lo) < (overRows ? cols : rows)) {
    fail(env, "sumAxis: an array is shorter than its shape");
    return nullptr;
  }
  kernels.sumAxis(x, out, static_cast<std::size_t>(rows), static_cast<std::size_t>(cols), overRows);
  return nullptr;
}

// activationGradient(dy, y, dz, activation): dz = dy · activation'(z) from the layer output y (0 linear, 1 relu, 2 tanh).
napi_value ActivationGradient(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, argv)) return nullptr;
  float *dy, *y, *dz;
  std::size_t ldy, ly, ldz;
  int64_t act;
  if (!getF32(env, argv[0], &dy, &ldy, "activationGradient: dy must be a Float32Array") ||
      !getF32(env, argv[1], &y, &ly, "activationGradient: y must be a Float32Array") ||
      !getF32(env, argv[2], &dz, &ldz, "activationGradient: dz must be a Float32Array") ||
      !getInt(env, argv[3], &act, "activationGradient: activation"))
    return nullptr;
  if (ly < ldy || ldz < ldy) {
    fail(env, "activationGradient: y and dz must be at least as long as dy");
    return nullptr;
  }
  kernels.activationGradient(dy, y, dz, ldy, static_cast<int>(act));
  return nullptr;
}

// denseForward(x, w, bias | null, y, m, n, k, activation): y (m × n) = activation(x (m × k) · w (k × n) + bias), the
// bias and activation (0 linear, 1 ReLU, 2 tanh) applied to each tile of the product while it is in registers where
// the shape allows, else after it: the same bits either way.
napi_value DenseForward(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, argv)) return nullptr;
  float *x, *w, *bias, *y;
  std::size_t lx, lw, lb, ly;
  int64_t m, n, k, act;
  if (!getF32(env, argv[0], &x, &lx, "denseForward: x must be a Float32Array") ||
      !getF32(env, argv[1], &w, &lw, "denseForward: w must be a Float32Array") ||
      !getF32OrNull(env, argv[2], &bias, &lb, "denseForward: bias must be a Float32Array or null") ||
      !getF32(env, argv[3], &y, &ly, "denseForward: y must be a Float32Array") ||
      !getInt(env, argv[4], &m, "denseForward: m") || !getInt(env, argv[5], &n, "denseForward: n") ||
      !getInt(env, argv[6], &k, "denseForward: k") || !getInt(env, argv[7], &act, "denseForward: activation"))
    return nullptr;
  if (m < 0 || n < 0 || k < 0 || act < 0 || act > 2) {
    fail(env, "denseForward: negative size or unknown activation");
    return nullptr;
  }
  if (static_cast<int64_t>(lx) < m * k || static_cast<int64_t>(lw) < k * n || static_cast<int64_t>(ly) < m * n ||
      (bias != nullptr && static_cast<int64_t>(lb) < n)) {
    fail(env, "denseForward: an array is shorter than its shape");
    return nullptr;
  }
  struct Task {
    const float *x, *w, *bias;
    float* y;
    int m, n, k, act;
    bool fused;
    static void fusedPart(void* ctx, int part, int parts) {
      Task& t = *static_cast<Task*>(ctx);
      const bool done = kernels.gemmBias(t.x, t.w, t.y, t.m, t.n, t.k, false, false, t.bias, t.act, part, parts);
      if (part == 0) t.fused = done;
    }
    static void plainPart(void* ctx, int part, int parts) {
      const Task& t = *static_cast<const Task*>(ctx);
      kernels.gemm(t.x, t.w, t.y, t.m, t.n, t.k, false, false, part, parts);
    }
  } task{x, w, bias, y, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), static_cast<int>(act), false};
  const bool split = m > 1 && n > 1 && static_cast<double>(m) * n * k >= kParallelMacs;
  pool.run(&Task::fusedPart, &task, split ? pool.size() : 1);
  if (!task.fused) {
    pool.run(&Task::plainPart, &task, split ? pool.size() : 1);
    if (bias != nullptr || act != 0) kernels.biasActivation(y, bias, task.m, task.n, task.act);
  }
  return nullptr;
}

// reluGradientProduct(dz, w, h, out, m, n, k): out (m × k) = (dz (m × n) · wᵀ, w stored k × n) · (h > 0 ? 1 : 0),
// h (m × k) the ReLU output below — a dense layer's input gradient and the ReLU gradient of the layer below in one
// pass, the bits of gemm then activationGradient. Returns false, computing nothing, for shapes it does not fuse (one
// row or column, narrow outputs): the caller runs those two then.
napi_value ReluGradientProduct(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args(env, info, argv)) return nullptr;
  float *dz, *w, *h, *out;
  std::size_t ldz, lw, lh, lout;
  int64_t m, n, k;
  if (!getF32(env, argv[0], &dz, &ldz, "reluGradientProduct: dz must be a Float32Array") ||
      !getF32(env, argv[1], &w, &lw, "reluGradientProduct: w must be a Float32Array") ||
      !getF32(env, argv[2], &h, &lh, "reluGradientProduct: h must be a Float32Array") ||
      !getF32(env, argv[3], &out, &lout, "reluGradientProduct: out must be a Float32Array") ||
      !getInt(env, argv[4], &m, "reluGradientProduct: m") || !getInt(env, argv[5], &n, "reluGradientProduct: n") ||
      !getInt(env, argv[6], &k, "reluGradientProduct: k"))
    return nullptr;
  if (m < 0 || n < 0 || k < 0) {
    fail(env, "reluGradientProduct: negative size");
    return nullptr;
  }
  if (static_cast<int64_t>(ldz) < m * n || static_cast<int64_t>(lw) < k * n || static_cast<int64_t>(lh) < m * k ||
      static_cast<int64_t>(lout) < m * k) {
    fail(env, "reluGradientProduct: an array is shorter than its shape");
    return nullptr;
  }
  struct Task {
    const float *dz, *w, *h;
    float* out;
    int m, n, k;
    bool fused;
    static void run(void* ctx, int part, int parts) {
      Task& t = *static_cast<Task*>(ctx);
      const bool done = kernels.gemmReluGradient(t.dz, t.w, t.out, t.m, t.k, t.n, false, true, t.h, part, parts);
      if (part == 0) t.fused = done;
    }
  } task{dz, w, h, out, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), false};
  const bool split = m > 1 && k > 1 && static_cast<double>(m) * n * k >= kParallelMacs;
  pool.run(&Task::run, &task, split ? pool.size() : 1);
  napi_value result;
  napi_get_boolean(env, task.fused, &result);
  return result;
}

// The Float32Arrays of a JS array (`null` entries, and a `null` array, as null pointers), or a TypeError naming `what`.
bool getF32List(napi_env env, napi_value value, std::size_t count, float** data, std::size_t* lengths,
                const char* what) {
  bool isArray = false;
  napi_is_array(env, value, &isArray);
  uint32_t length = 0;
  if (!isArray || napi_get_array_length(env, value, &length) != napi_ok || length != count) return fail(env, what);
  for (uint32_t i = 0; i < length; ++i) {
    napi_value element;
    napi_get_element(env, value, i, &element);
    if (!getF32OrNull(env, element, &data[i], &lengths[i], what)) return false;
  }
  return true;
}

// The rows [first, end) of part `part` of `parts` of a product with `rows` rows, cut at multiples of a tile (so a part
// packs no more partial tiles than the whole product would).
void rowRange(int rows, int part, int parts, int* first, int* end) {
  const int tile = kernels.tileRows();
  const int tiles = (rows + tile - 1) / tile;
  const int a = tiles * part / parts * tile;
  const int b = tiles * (part + 1) / parts * tile;
  *first = a < rows ? a : rows;
  *end = b < rows ? b : rows;
}

// Whether a chain of layers over `rows` rows is worth splitting: every part gets at least two tiles of rows (so no
// part is a single row, whose product takes the dot-product path), and the layers hold enough multiply-adds.
bool splitRows(int rows, double macs) {
  return pool.size() > 1 && rows >= 2 * kernels.tileRows() * pool.size() && macs >= kParallelMacs;
}

constexpr int kMaxStackLayers = 16;

// One dense layer on rows [r0, r1): y = activation(x · w + bias), x rows of `k` values, y rows of `n` values.
void denseRows(const float* x, const float* w, const float* bias, float* y, int r0, int r1, int n, int k, int act) {
  const int m = r1 - r0;
  if (m <= 0) return;
  const float* xr = x + static_cast<std::size_t>(r0) * k;
  float* yr = y + static_cast<std::size_t>(r0) * n;
  if (kernels.gemmBias(xr, w, yr, m, n, k, false, false, bias, act, 0, 1)) return;
  kernels.gemm(xr, w, yr, m, n, k, false, false, 0, 1);
  if (bias != nullptr || act != 0) kernels.biasActivation(yr, bias, m, n, act);
}

// A layer stack's input, or its gradient, given as column blocks (the observation beside the action, for a critic):
// parts[p] holds rows × widths[p] values, the input is the blocks side by side; all null when only the widths were
// given. One block is used where it is; several are copied side by side into `joined` (or out of it, for a gradient)
// row block by row block.
struct Blocks {
  float* parts[kMaxStackLayers];
  int widths[kMaxStackLayers];
  int count = 0;
  int width = 0;

  // rows [r0, r1) of the blocks side by side into `joined` (rows × width)
  void join(float* joined, int r0, int r1) const {
    for (int r = r0; r < r1; ++r) {
      float* to = joined + static_cast<std::size_t>(r) * width;
      for (int p = 0; p < count; ++p) {
        const int w = widths[p];
        std::memcpy(to, parts[p] + static_cast<std::size_t>(r) * w, sizeof(float) * w);
        to += w;
      }
    }
  }
  bool given() const { return parts[0] != nullptr; }
  // rows [r0, r1) of `joined` back out into the blocks
  void split(const float* joined, int r0, int r1) const {
    for (int r = r0; r < r1; ++r) {
      const float* from = joined + static_cast<std::size_t>(r) * width;
      for (int p = 0; p < count; ++p) {
        const int w = widths[p];
        std::memcpy(parts[p] + static_cast<std::size_t>(r) * w, from, sizeof(float) * w);
        from += w;
      }
    }
  }
};

// The column blocks of a stack's input (or of its gradient): a JS array of Float32Arrays with their widths, each at
// least rows × width long, or null for the widths alone.
bool getBlocks(napi_env env, napi_value list, napi_value widthsValue, int64_t rows, Blocks* blocks, const char* what) {
  int32_t* widths;
  std::size_t count;
  if (!getI32(env, widthsValue, &widths, &count, what)) return false;
  if (count < 1 || count > static_cast<std::size_t>(kMaxStackLayers)) return fail(env, what);
  const bool given = !isNullish(env, list);
  std::size_t lengths[kMaxStackLayers];
  if (given && !getF32List(env, list, count, blocks->parts, lengths, what)) return false;
  blocks->count = static_cast<int>(count);
  blocks->width = 0;
  for (std::size_t p = 0; p < count; ++p) {
    if (!given) blocks->parts[p] = nullptr;
    if (widths[p] < 1 ||
        (given && (blocks->parts[p] == nullptr || static_cast<int64_t>(lengths[p]) < rows * widths[p])))
      return fail(env, what);
    blocks->widths[p] = widths[p];
    blocks->width += widths[p];
  }
  return true;
}

// denseStack(xs, widths, ws, bs, hs, rows, activations): a chain of dense layers in one call, hs[i] (rows × n_i) =
// activation_i(h_{i−1} · ws[i] + bs[i]) with h_{−1} the input x (rows × Σ widths) given as column blocks xs[p] (rows ×
// widths[p]), ws[i] stored k_i × n_i (k_0 = Σ widths, k_i = n_{i−1}), bs[i] of n_i values or null, activations[i] 0
// linear, 1 ReLU, 2 tanh. Rows are independent through the whole chain, so a large chain is split by blocks of rows,
// each thread joining its rows of the input and running every layer on them: one hand-off per chain instead of one
// per layer, and the small layers (the first, the scalar head) split too. Each element is computed as by
// denseForward, so any split gives the same bits.
napi_value DenseStack(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args(env, info, argv)) return nullptr;
  int64_t rows;
  int32_t* acts;
  std::size_t layers;
  Blocks input;
  if (!getInt(env, argv[5], &rows, "denseStack: rows") ||
      !getI32(env, argv[6], &acts, &layers, "denseStack: activations must be an Int32Array"))
    return nullptr;
  if (rows < 0 || layers < 1 || layers > static_cast<std::size_t>(kMaxStackLayers)) {
    fail(env, "denseStack: rows ≥ 0 and between 1 and 16 layers");
    return nullptr;
  }
  const char* blocksError = "denseStack: xs must be 1–16 Float32Arrays of rows × widths[p] values, widths an Int32Array";
  if (!getBlocks(env, argv[0], argv[1], rows, &input, blocksError)) return nullptr;
  if (!input.given()) {
    fail(env, blocksError);
    return nullptr;
  }
  float *ws[kMaxStackLayers], *bs[kMaxStackLayers], *hs[kMaxStackLayers];
  std::size_t lws[kMaxStackLayers], lbs[kMaxStackLayers], lhs[kMaxStackLayers];
  if (!getF32List(env, argv[2], layers, ws, lws, "denseStack: ws must be an array of a Float32Array per layer") ||
      !getF32List(env, argv[3], layers, bs, lbs, "denseStack: bs must be an array of a Float32Array or null per layer") ||
      !getF32List(env, argv[4], layers, hs, lhs, "denseStack: hs must be an array of a Float32Array per layer"))
    return nullptr;
  std::vector<float> joined(input.count > 1 ? static_cast<std::size_t>(rows) * input.width : 0);
  struct Task {
    const Blocks* input;
    float* joined;
    const float* const* ws;
    const float* const* bs;
    float* const* hs;
    int ns[kMaxStackLayers];
    int acts[kMaxStackLayers];
    int layers, rows;
    static void run(void* ctx, int part, int parts) {
      const Task& t = *static_cast<const Task*>(ctx);
      int r0, r1;
      rowRange(t.rows, part, parts, &r0, &r1);
      const float* in = t.input->parts[0];
      if (t.joined != nullptr) {
        t.input->join(t.joined, r0, r1);
        in = t.joined;
      }
      int k = t.input->width;
      for (int i = 0; i < t.layers; ++i) {
        denseRows(in, t.ws[i], t.bs[i], t.hs[i], r0, r1, t.ns[i], k, t.acts[i]);
        in = t.hs[i];
        k = t.ns[i];
      }
    }
  } task{&input, joined.empty() ? nullptr : joined.data(), ws, bs, hs, {}, {}, static_cast<int>(layers),
         static_cast<int>(rows)};
  int64_t k = input.width;
  double macs = 0;
  for (std::size_t i = 0; i < layers; ++i) {
    if (acts[i] < 0 || acts[i] > 2 || ws[i] == nullptr || hs[i] == nullptr || lws[i] % static_cast<std::size_t>(k) != 0) {
      fail(env, "denseStack: each layer needs a weight matrix k × n and an output, and a known activation");
      return nullptr;
    }
    const int64_t n = static_cast<int64_t>(lws[i]) / k;
    if (n < 1 || static_cast<int64_t>(lhs[i]) < rows * n || (bs[i] != nullptr && static_cast<int64_t>(lbs[i]) < n)) {
      fail(env, "denseStack: an output or a bias is shorter than its layer");
      return nullptr;
    }
    task.ns[i] = static_cast<int>(n);
    task.acts[i] = acts[i];
    macs += static_cast<double>(rows) * k * n;
    k = n;
  }
  pool.run(&Task::run, &task, splitRows(task.rows, macs) ? pool.size() : 1);
  return nullptr;
}

// Scratch for one thread's block of a layer's input gradient below a non-ReLU layer (the product, before the
// activation's gradient is applied).
thread_local float* gradientScratch = nullptr;
thread_local std::size_t gradientScratchSize = 0;

float* scratchOf(std::size_t size) {
  if (size > gradientScratchSize) {
    std::free(gradientScratch);
    gradientScratch = static_cast<float*>(std::malloc(size * sizeof(float)));
    gradientScratchSize = gradientScratch == nullptr ? 0 : size;
  }
  return gradientScratch;
}

// denseStackGradient(dy, xs, widths, ws, hs, dzs, dws, dbs, dxs, rows, activations): the gradient of denseStack,
// given dy (rows × n_top) on the top layer's output: dzs[i] (rows × n_i) receives dz_i = dy_i · act_i'(h_i) for every
// layer from the top down to the lowest one anything is needed from; dws[i] = h_{i−1}ᵀ · dz_i and dbs[i] =
// Σ_rows dz_i for the layers whose gradients are wanted (null: not computed); the input's gradient dz_0 · ws[0]ᵀ,
// split into the column blocks dxs[p] (rows × widths[p]) when dxs is not null. xs, the input's blocks, may be null
// when the first layer's weight gradient is not wanted. dz of the layer below comes out of dz_i · ws[i]ᵀ with the
// ReLU's step applied as it is written (reluGradientProduct), else through the activation's gradient. In two
// hand-offs: the walk down is row by row (blocks of rows on every thread, which also join the input's blocks), then
// the weight gradients, which sum over the rows, are split by their outputs. The operations of dense's gradient, in
// the same order for each element: the bits of the layer-by-layer calls.
napi_value DenseStackGradient(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (!args(env, info, argv)) return nullptr;
  float* dy;
  std::size_t ldy;
  int64_t rows;
  int32_t* acts;
  std::size_t layers;
  if (!getF32(env, argv[0], &dy, &ldy, "denseStackGradient: dy must be a Float32Array") ||
      !getInt(env, argv[9], &rows, "denseStackGradient: rows") ||
      !getI32(env, argv[10], &acts, &layers, "denseStackGradient: activations must be an Int32Array"))
    return nullptr;
  if (layers < 1 || layers > static_cast<std::size_t>(kMaxStackLayers) || rows < 0) {
    fail(env, "denseStackGradient: between 1 and 16 layers, rows ≥ 0");
    return nullptr;
  }
  const char* blocksError =
      "denseStackGradient: xs and dxs must be null or 1–16 Float32Arrays of rows × widths[p] values, widths an Int32Array";
  Blocks input, inputGradient;
  if (!getBlocks(env, argv[1], argv[2], rows, &input, blocksError) ||
      !getBlocks(env, argv[8], argv[2], rows, &inputGradient, blocksError))
    return nullptr;
  const bool hasInput = input.given();
  const bool hasInputGradient = inputGradient.given();
  const int64_t width = input.width;
  float *ws[kMaxStackLayers], *hs[kMaxStackLayers], *dzs[kMaxStackLayers], *dws[kMaxStackLayers],
      *dbs[kMaxStackLayers];
  std::size_t lws[kMaxStackLayers], lhs[kMaxStackLayers], ldzs[kMaxStackLayers], ldws[kMaxStackLayers],
      ldbs[kMaxStackLayers];
  const char* listError = "denseStackGradient: ws, hs, dzs, dws and dbs must be arrays of a Float32Array (or null) per layer";
  if (!getF32List(env, argv[3], layers, ws, lws, listError) || !getF32List(env, argv[4], layers, hs, lhs, listError) ||
      !getF32List(env, argv[5], layers, dzs, ldzs, listError) ||
      !getF32List(env, argv[6], layers, dws, ldws, listError) || !getF32List(env, argv[7], layers, dbs, ldbs, listError))
    return nullptr;
  struct Task {
    const float* dy;
    const Blocks* input;
    const Blocks* inputGradient;
    const float* x;  // the input, joined or its one block
    float* joinedX;  // where the walk joins the input's blocks (null: one block, or the input is not needed)
    float* dx;       // the input's gradient, joined or its one block (null: not wanted)
    bool splitDx;    // whether dx is joined scratch to be split into the blocks
    const float* const* ws;
    const float* const* hs;
    float* const* dzs;
    float* const* dws;
    float* const* dbs;
    int ks[kMaxStackLayers], ns[kMaxStackLayers], acts[kMaxStackLayers];
    int layers, rows, lowest;
    // the walk down on rows [r0, r1): dz of the top layer, then each product into the layer below
    static void walk(void* ctx, int part, int parts) {
      const Task& t = *static_cast<const Task*>(ctx);
      int r0, r1;
      rowRange(t.rows, part, parts, &r0, &r1);
      const int m = r1 - r0;
      if (m <= 0) return;
      if (t.joinedX != nullptr) t.input->join(t.joinedX, r0, r1);
      const int top = t.layers - 1;
      const std::size_t topOffset = static_cast<std::size_t>(r0) * t.ns[top];
      kernels.activationGradient(t.dy + topOffset, t.hs[top] + topOffset, t.dzs[top] + topOffset,
                                 static_cast<std::size_t>(m) * t.ns[top], t.acts[top]);
      for (int i = top; i >= t.lowest; --i) {
        const int k = t.ks[i], n = t.ns[i];
        const float* dz = t.dzs[i] + static_cast<std::size_t>(r0) * n;
        if (i == 0) {
          if (t.dx != nullptr) {
            kernels.gemm(dz, t.ws[0], t.dx + static_cast<std::size_t>(r0) * k, m, k, n, false, true, 0, 1);
            if (t.splitDx) t.inputGradient->split(t.dx, r0, r1);
          }
          break;
        }
        if (i == t.lowest) break;
        const std::size_t below = static_cast<std::size_t>(r0) * k;
        if (t.acts[i - 1] == 1 &&
            kernels.gemmReluGradient(dz, t.ws[i], t.dzs[i - 1] + below, m, k, n, false, true, t.hs[i - 1] + below, 0, 1))
          continue;
        float* product = scratchOf(static_cast<std::size_t>(m) * k);
        if (product == nullptr) std::abort();
        kernels.gemm(dz, t.ws[i], product, m, k, n, false, true, 0, 1);
        kernels.activationGradient(product, t.hs[i - 1] + below, t.dzs[i - 1] + below, static_cast<std::size_t>(m) * k,
                                   t.acts[i - 1]);
      }
    }
    // the weight gradients: part `part` of each product, and the bias sums of every parts-th layer
    static void weights(void* ctx, int part, int parts) {
      const Task& t = *static_cast<const Task*>(ctx);
      for (int i = t.lowest; i < t.layers; ++i) {
        if (t.dws[i] == nullptr) continue;
        const float* in = i == 0 ? t.x : t.hs[i - 1];
        kernels.gemm(in, t.dzs[i], t.dws[i], t.ks[i], t.ns[i], t.rows, true, false, part, parts);
        if (i % parts == part) kernels.sumAxis(t.dzs[i], t.dbs[i], t.rows, t.ns[i], true);
      }
    }
  } task{dy, &input, &inputGradient, nullptr, nullptr, nullptr, false, ws, hs, dzs, dws, dbs, {}, {}, {},
         static_cast<int>(layers), static_cast<int>(rows), 0};
  int64_t k = width;
  double walkMacs = 0, weightMacs = 0;
  int lowest = hasInputGradient ? 0 : static_cast<int>(layers);
  for (std::size_t i = 0; i < layers; ++i) {
    if (acts[i] < 0 || acts[i] > 2 || ws[i] == nullptr || hs[i] == nullptr || lws[i] % static_cast<std::size_t>(k) != 0) {
      fail(env, "denseStackGradient: each layer needs a weight matrix k × n, its output, and a known activation");
      return nullptr;
    }
    const int64_t n = static_cast<int64_t>(lws[i]) / k;
    if (n < 1 || static_cast<int64_t>(lhs[i]) < rows * n) {
      fail(env, "denseStackGradient: a layer's output is shorter than rows × n");
      return nullptr;
    }
    if ((dws[i] == nullptr) != (dbs[i] == nullptr)) {
      fail(env, "denseStackGradient: a layer's dw and db are both given or both null");
      return nullptr;
    }
    if (dws[i] != nullptr) {
      if (static_cast<int64_t>(ldws[i]) < k * n || static_cast<int64_t>(ldbs[i]) < n) {
        fail(env, "denseStackGradient: a weight or bias gradient is shorter than its layer");
        return nullptr;
      }
      if (static_cast<int>(i) < lowest) lowest = static_cast<int>(i);
      weightMacs += static_cast<double>(rows) * k * n;
    }
    task.ks[i] = static_cast<int>(k);
    task.ns[i] = static_cast<int>(n);
    task.acts[i] = acts[i];
    k = n;
  }
  task.lowest = lowest;
  if (static_cast<int64_t>(ldy) < rows * task.ns[layers - 1] || (!hasInput && dws[0] != nullptr)) {
    fail(env, "denseStackGradient: dy is shorter than its shape, or xs is missing for the first layer's weights");
    return nullptr;
  }
  if (lowest == static_cast<int>(layers)) return nullptr;
  std::vector<float> joinedX, joinedDx;
  if (hasInput && dws[0] != nullptr) {
    if (input.count == 1) {
      task.x = input.parts[0];
    } else {
      joinedX.resize(static_cast<std::size_t>(rows) * width);
      task.x = task.joinedX = joinedX.data();
    }
  }
  if (hasInputGradient) {
    if (inputGradient.count == 1) {
      task.dx = inputGradient.parts[0];
    } else {
      joinedDx.resize(static_cast<std::size_t>(rows) * width);
      task.dx = joinedDx.data();
      task.splitDx = true;
    }
  }
  for (std::size_t i = static_cast<std::size_t>(lowest); i < layers; ++i) {
    walkMacs += static_cast<double>(rows) * task.ks[i] * task.ns[i];
    if (dzs[i] == nullptr || static_cast<int64_t>(ldzs[i]) < rows * task.ns[i]) {
      fail(env, "denseStackGradient: dz of a layer the walk reaches is missing or short");
      return nullptr;
    }
  }
  pool.run(&Task::walk, &task, splitRows(task.rows, walkMacs) ? pool.size() : 1);
  const bool splitWeights = pool.size() > 1 && weightMacs >= kParallelMacs;
  pool.run(&Task::weights, &task, splitWeights ? pool.size() : 1);
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  kernels = pick();
  napi_value isa;
  napi_create_string_utf8(env, kernels.isa, NAPI_AUTO_LENGTH, &isa);
  napi_set_named_property(env, exports, "isa", isa);
  const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"gemm", Gemm}, {"biasActivation", BiasActivation}, {"adam", Adam}, {"polyak", Polyak}, {"sumSquares", SumSquares}, {"conv2d", Conv2d}, {"slice", Slice}, {"transpose", Transpose}, {"sumAxis", SumAxis}, {"activationGradient", ActivationGradient}, {"denseForward", DenseForward}, {"reluGradientProduct", ReluGradientProduct}, {"denseStack", DenseStack}, {"denseStackGradient", DenseStackGradient}, {"setThreads", SetThreads}, {"threads", Threads}, {"handOffs", HandOffs}};
  for (const auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
