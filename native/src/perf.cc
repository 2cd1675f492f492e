// perfgate's native layer: syscall-shaped verbs over perf_event_open counter groups.
// Policy (which events, fallbacks, scaling, statistics) lives in TypeScript; this file
// only opens, reads, enables, disables and closes fd groups and maps errno to Error.code.
#include <napi.h>

#include <linux/perf_event.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace {

struct EventDef {
  const char* name;
  uint32_t type;
  uint64_t config;
};

// The generic events perfgate understands. Hardware events need a PMU; software events
// are served by the kernel everywhere.
const EventDef kEvents[] = {
    {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
    {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
    {"branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS},
    {"branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES},
    {"cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES},
    {"cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES},
    {"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
    {"cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK},
    {"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
    {"minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN},
    {"major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ},
    {"context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
    {"cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS},
};

const EventDef* FindEvent(const std::string& name) {
  for (const auto& e : kEvents) {
    if (name == e.name) return &e;
  }
  return nullptr;
}

// Own table rather than strerrorname_np: keeps the binary on an old glibc baseline.
const char* ErrnoName(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOSPC: return "ENOSPC";
    case ENOSYS: return "ENOSYS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EOVERFLOW: return "EOVERFLOW";
    case ENODEV: return "ENODEV";
    default: return "EUNKNOWN";
  }
}

// Fixed-size tables instead of std::vector/unordered_map keep the binary on an old libstdc++
// baseline (GLIBCXX_3.4.21): GCC 12's vector pulls in a 3.4.29 symbol.
constexpr size_t kMaxEvents = 8;
constexpr size_t kMaxGroups = 512;

struct Group {
  uint32_t handle = 0;           // 0 = free slot
  size_t n = 0;
  int fds[kMaxEvents];           // fds[0] is the leader
  uint64_t ids[kMaxEvents];      // kernel ids, same order as fds
  std::string names[kMaxEvents];
  uint64_t buf[3 + 2 * kMaxEvents];  // read buffer: nr, enabled, running, {value, id} * nr
};

Group g_groups[kMaxGroups];
uint32_t g_next_handle = 1;

Group* FindGroup(uint32_t handle) {
  if (handle == 0) return nullptr;
  for (auto& g : g_groups) {
    if (g.handle == handle) return &g;
  }
  return nullptr;
}

void CloseFds(const int* fds, size_t n) {
  // Members first, then the leader: closing the leader frees the group and its inherited copies.
  for (size_t i = n; i-- > 0;) ::close(fds[i]);
}

long PerfEventOpen(perf_event_attr* attr, pid_t pid, int cpu, int group_fd, unsigned long flags) {
  return syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

// Every error the addon throws carries a code (an errno name or EUNKNOWNEVENT) and, where
// there is one, the event it concerns: TypeScript decides on the code, never on the message.
Napi::Error CodedError(Napi::Env env, const std::string& msg, const char* code,
                       const std::string& event) {
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  if (!event.empty()) e.Set("event", Napi::String::New(env, event));
  return e;
}

Napi::Value ThrowErrno(Napi::Env env, const char* syscall_name, int err, const std::string& event,
                       const std::string& detail) {
  std::string msg = std::string(syscall_name);
  if (!event.empty()) msg += "(" + event + ")";
  msg += " failed: ";
  msg += ErrnoName(err);
  msg += " (";
  msg += std::strerror(err);
  msg += ")";
  if (!detail.empty()) msg += ": " + detail;
  Napi::Error e = CodedError(env, msg, ErrnoName(err), event);
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, syscall_name));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowUnknownEvent(Napi::Env env, const std::string& name) {
  CodedError(env, "unknown perf event '" + name + "'", "EUNKNOWNEVENT", name)
      .ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowType(Napi::Env env, const std::string& msg) {
  Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

// Argument checks: a wrong type is a TypeError, never coerced (NaN would become pid 0, this
// thread; -1 a handle of 4294967295; "no" the boolean true). Each returns false after throwing.

bool IsInteger(const Napi::Value& v, double lo, double hi) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  return d >= lo && d <= hi && d == static_cast<double>(static_cast<int64_t>(d));
}

bool IntArg(const Napi::Value& v, double lo, double hi, const std::string& what, int64_t* out) {
  if (!IsInteger(v, lo, hi)) {
    ThrowType(v.Env(), what + " must be an integer from " +
                           std::to_string(static_cast<int64_t>(lo)) + " to " +
                           std::to_string(static_cast<int64_t>(hi)));
    return false;
  }
  *out = v.As<Napi::Number>().Int64Value();
  return true;
}

// A pid: 0 is the calling thread; the kernel's pid_t is 32 bits.
bool PidArg(const Napi::Value& v, const char* verb, pid_t* out) {
  int64_t pid = 0;
  if (!IntArg(v, 0, INT32_MAX, std::string(verb) + ": pid", &pid)) return false;
  *out = static_cast<pid_t>(pid);
  return true;
}

// An optional option: absent or undefined keeps *out as it is.
bool Uint32Opt(const Napi::Object& o, const char* key, uint32_t* out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return true;
  int64_t n = 0;
  if (!IntArg(v, 0, UINT32_MAX, std::string("open: options.") + key, &n)) return false;
  *out = static_cast<uint32_t>(n);
  return true;
}

bool BoolValue(const Napi::Value& v, const std::string& what, bool* out) {
  if (v.IsUndefined()) return true;
  if (!v.IsBoolean()) {
    ThrowType(v.Env(), what + " must be a boolean");
    return false;
  }
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

bool BoolOpt(const Napi::Object& o, const char* key, bool* out) {
  return BoolValue(o.Get(key), std::string("open: options.") + key, out);
}

// pmu_type, where not 0, goes in bits 32-63 of a hardware event's config: on a hybrid CPU it
// names the PMU (cpu_core, cpu_atom) that counts the event (PERF_PMU_TYPE_SHIFT, Linux 5.13+).
void FillAttr(perf_event_attr* attr, const EventDef& def, bool leader, bool inherit,
              bool enable_on_exec, bool exclude_kernel, bool pinned, uint32_t pmu_type) {
  std::memset(attr, 0, sizeof(*attr));
  attr->size = sizeof(*attr);
  attr->type = def.type;
  attr->config = def.config;
  if (def.type == PERF_TYPE_HARDWARE && pmu_type != 0) {
    attr->config |= static_cast<uint64_t>(pmu_type) << 32;
  }
  attr->read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID | PERF_FORMAT_TOTAL_TIME_ENABLED |
                      PERF_FORMAT_TOTAL_TIME_RUNNING;
  attr->inherit = inherit ? 1 : 0;  // leader and members must agree, else EINVAL
  attr->exclude_kernel = exclude_kernel ? 1 : 0;
  attr->exclude_hv = 1;
  if (leader) {
    attr->disabled = 1;
    attr->enable_on_exec = enable_on_exec ? 1 : 0;
    attr->pinned = pinned ? 1 : 0;
  }
}

Group* GetGroup(const Napi::CallbackInfo& info, const char* verb) {
  Napi::Env env = info.Env();
  int64_t h = 0;
  if (!IntArg(info[0], 0, UINT32_MAX, std::string(verb) + ": the counter handle", &h)) {
    return nullptr;
  }
  Group* g = FindGroup(static_cast<uint32_t>(h));
  if (g == nullptr) {
    ThrowErrno(env, verb, EBADF, "", "counter handle " + std::to_string(h) + " is not open");
  }
  return g;
}

// events(): [{name, type: 'hardware' | 'software'}]
Napi::Value Events(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& e : kEvents) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", e.name);
    o.Set("type", e.type == PERF_TYPE_HARDWARE ? "hardware" : "software");
    out.Set(i++, o);
  }
  return out;
}

// open(pid, names[], {inherit, enableOnExec, excludeKernel, pinned, pmuType}) -> handle
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t pid = 0;
  if (!PidArg(info[0], "open", &pid)) return env.Undefined();
  if (!info[1].IsArray()) {
    return ThrowType(env, "open(pid, events[], options?): events must be an array");
  }
  Napi::Array names = info[1].As<Napi::Array>();
  if (names.Length() == 0 || names.Length() > kMaxEvents) {
    return ThrowType(env, "open: a group holds 1 to " + std::to_string(kMaxEvents) + " events");
  }
  if (!info[2].IsUndefined() && !info[2].IsObject()) {
    return ThrowType(env, "open: options must be an object");
  }
  Napi::Object opts = info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(env);
  bool inherit = true;
  bool enable_on_exec = false;
  bool exclude_kernel = true;
  bool pinned = false;
  uint32_t pmu_type = 0;
  if (!BoolOpt(opts, "inherit", &inherit) || !BoolOpt(opts, "enableOnExec", &enable_on_exec) ||
      !BoolOpt(opts, "excludeKernel", &exclude_kernel) || !BoolOpt(opts, "pinned", &pinned) ||
      !Uint32Opt(opts, "pmuType", &pmu_type)) {
    return env.Undefined();
  }

  Group* slot = nullptr;
  for (auto& cand : g_groups) {
    if (cand.handle == 0) {
      slot = &cand;
      break;
    }
  }
  if (slot == nullptr) {
    return ThrowErrno(env, "open", EMFILE, "", "too many open counter groups");
  }
  const EventDef* defs[kMaxEvents];
  std::string gnames[kMaxEvents];
  size_t count = names.Length();
  for (uint32_t i = 0; i < names.Length(); i++) {
    Napi::Value v = names.Get(i);
    if (!v.IsString()) return ThrowType(env, "open: event names must be strings");
    std::string name = v.As<Napi::String>().Utf8Value();
    const EventDef* def = FindEvent(name);
    if (def == nullptr) return ThrowUnknownEvent(env, name);
    defs[i] = def;
    gnames[i] = name;
  }

  int fds[kMaxEvents];
  uint64_t ids[kMaxEvents];
  for (size_t i = 0; i < count; i++) {
    perf_event_attr attr;
    FillAttr(&attr, *defs[i], i == 0, inherit, enable_on_exec, exclude_kernel, pinned, pmu_type);
    int group_fd = i == 0 ? -1 : fds[0];
    long fd = PerfEventOpen(&attr, pid, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      CloseFds(fds, i);
      return ThrowErrno(env, "perf_event_open", err, gnames[i], "pid " + std::to_string(pid));
    }
    fds[i] = static_cast<int>(fd);
    if (ioctl(fds[i], PERF_EVENT_IOC_ID, &ids[i]) != 0) {
      int err = errno;
      CloseFds(fds, i + 1);
      return ThrowErrno(env, "ioctl(PERF_EVENT_IOC_ID)", err, gnames[i], "");
    }
  }
  slot->handle = g_next_handle++;
  slot->n = count;
  for (size_t i = 0; i < count; i++) {
    slot->fds[i] = fds[i];
    slot->ids[i] = ids[i];
    slot->names[i] = gnames[i];
  }
  return Napi::Number::New(env, slot->handle);
}

// One read() of the whole group into g->buf; returns false (with a JS error) on failure.
bool ReadGroup(Napi::Env env, Group* g) {
  size_t bytes = (3 + 2 * g->n) * sizeof(uint64_t);
  ssize_t n = ::read(g->fds[0], g->buf, bytes);
  if (n < 0) {
    ThrowErrno(env, "read", errno, g->names[0], "");
    return false;
  }
  if (n == 0) {
    // A pinned group that could not be scheduled is in error state and reads EOF.
    ThrowErrno(env, "read", EIO, g->names[0], "group is in error state (could not be scheduled)");
    return false;
  }
  if (static_cast<size_t>(n) < 3 * sizeof(uint64_t) || g->buf[0] != g->n) {
    ThrowErrno(env, "read", EIO, g->names[0], "short or unexpected group read");
    return false;
  }
  return true;
}

// Value of member i, matched by kernel id so member order never matters.
double MemberValue(const Group* g, size_t i) {
  for (size_t k = 0; k < g->n; k++) {
    if (g->buf[3 + 2 * k + 1] == g->ids[i]) return static_cast<double>(g->buf[3 + 2 * k]);
  }
  return static_cast<double>(g->buf[3 + 2 * i]);
}

// read(handle) -> {enabled, running, values: number[]}
Napi::Value Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group* g = GetGroup(info, "read");
  if (g == nullptr || !ReadGroup(env, g)) return env.Undefined();
  Napi::Object out = Napi::Object::New(env);
  out.Set("enabled", Napi::Number::New(env, static_cast<double>(g->buf[1])));
  out.Set("running", Napi::Number::New(env, static_cast<double>(g->buf[2])));
  Napi::Array values = Napi::Array::New(env, g->n);
  for (size_t i = 0; i < g->n; i++) {
    values.Set(static_cast<uint32_t>(i), Napi::Number::New(env, MemberValue(g, i)));
  }
  out.Set("values", values);
  return out;
}

// readInto(handle, Float64Array out, offset): out[offset..] = enabled, running, v0, v1, ...
// The allocation-free read the replay loop uses.
Napi::Value ReadInto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group* g = GetGroup(info, "readInto");
  if (g == nullptr) return env.Undefined();
  if (info.Length() < 2 || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    return ThrowType(env, "readInto(handle, Float64Array, offset?): expected a Float64Array");
  }
  Napi::Float64Array out = info[1].As<Napi::Float64Array>();
  int64_t at = 0;
  if (!info[2].IsUndefined() && !IntArg(info[2], 0, UINT32_MAX, "readInto: offset", &at)) {
    return env.Undefined();
  }
  size_t offset = static_cast<size_t>(at);
  if (offset + 2 + g->n > out.ElementLength()) {
    return ThrowType(env, "readInto: the Float64Array is too small for this group");
  }
  if (!ReadGroup(env, g)) return env.Undefined();
  out[offset] = static_cast<double>(g->buf[1]);
  out[offset + 1] = static_cast<double>(g->buf[2]);
  for (size_t i = 0; i < g->n; i++) out[offset + 2 + i] = MemberValue(g, i);
  return env.Undefined();
}

Napi::Value Ioctl(const Napi::CallbackInfo& info, const char* verb, unsigned long request,
                  const char* syscall_name) {
  Napi::Env env = info.Env();
  Group* g = GetGroup(info, verb);
  if (g == nullptr) return env.Undefined();
  if (ioctl(g->fds[0], request, PERF_IOC_FLAG_GROUP) != 0) {
    return ThrowErrno(env, syscall_name, errno, g->names[0], "");
  }
  return env.Undefined();
}

Napi::Value Enable(const Napi::CallbackInfo& info) {
  return Ioctl(info, "enable", PERF_EVENT_IOC_ENABLE, "ioctl(PERF_EVENT_IOC_ENABLE)");
}

Napi::Value Disable(const Napi::CallbackInfo& info) {
  return Ioctl(info, "disable", PERF_EVENT_IOC_DISABLE, "ioctl(PERF_EVENT_IOC_DISABLE)");
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group* g = GetGroup(info, "close");
  if (g == nullptr) return env.Undefined();
  CloseFds(g->fds, g->n);
  g->handle = 0;
  g->n = 0;
  return env.Undefined();
}

// probe(name, excludeKernel, pmuType?) -> {ok: true} | {ok: false, code, errno}: opens one event
// on the calling thread and closes it again. Never throws for a kernel refusal.
Napi::Value Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) {
    return ThrowType(env, "probe(name, excludeKernel?, pmuType?): name must be a string");
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  bool exclude_kernel = true;
  if (!BoolValue(info[1], "probe: excludeKernel", &exclude_kernel)) return env.Undefined();
  int64_t pmu_type = 0;
  if (!info[2].IsUndefined() && !IntArg(info[2], 0, UINT32_MAX, "probe: pmuType", &pmu_type)) {
    return env.Undefined();
  }
  const EventDef* def = FindEvent(name);
  Napi::Object out = Napi::Object::New(env);
  if (def == nullptr) {
    out.Set("ok", false);
    out.Set("code", "EUNKNOWNEVENT");
    return out;
  }
  perf_event_attr attr;
  FillAttr(&attr, *def, true, false, false, exclude_kernel, false, static_cast<uint32_t>(pmu_type));
  long fd = PerfEventOpen(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    out.Set("ok", false);
    out.Set("code", ErrnoName(err));
    out.Set("errno", err);
    return out;
  }
  ::close(static_cast<int>(fd));
  out.Set("ok", true);
  return out;
}

// setAffinity(pid, cpus[]): sched_setaffinity. Threads and children created afterwards inherit it.
Napi::Value SetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t pid = 0;
  if (!PidArg(info[0], "setAffinity", &pid)) return env.Undefined();
  if (!info[1].IsArray()) return ThrowType(env, "setAffinity(pid, cpus[]): cpus must be an array");
  Napi::Array cpus = info[1].As<Napi::Array>();
  if (cpus.Length() == 0) return ThrowType(env, "setAffinity: cpus must not be empty");
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < cpus.Length(); i++) {
    int64_t cpu = 0;
    if (!IntArg(cpus.Get(i), 0, CPU_SETSIZE - 1, "setAffinity: each cpu", &cpu)) {
      return env.Undefined();
    }
    CPU_SET(static_cast<int>(cpu), &set);
  }
  if (sched_setaffinity(pid, sizeof(set), &set) != 0) {
    return ThrowErrno(env, "sched_setaffinity", errno, "", "pid " + std::to_string(pid));
  }
  return env.Undefined();
}

// getAffinity(pid) -> cpus[]: sched_getaffinity.
Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t pid = 0;
  if (!PidArg(info[0], "getAffinity", &pid)) return env.Undefined();
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(pid, sizeof(set), &set) != 0) {
    return ThrowErrno(env, "sched_getaffinity", errno, "", "pid " + std::to_string(pid));
  }
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &set)) out.Set(n++, Napi::Number::New(env, cpu));
  }
  return out;
}

// threadCpuNs() -> this thread's CPU time in ns: clock_gettime(CLOCK_THREAD_CPUTIME_ID), one
// syscall, exact at the moment of the call. Unlike a perf event it leaves nothing attached to
// the thread, so the kernel does no extra work at the thread's context switches.
Napi::Value ThreadCpuNs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
    return ThrowErrno(env, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)", errno, "", "");
  }
  return Napi::Number::New(env, static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("events", Napi::Function::New(env, Events, "events"));
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("read", Napi::Function::New(env, Read, "read"));
  exports.Set("readInto", Napi::Function::New(env, ReadInto, "readInto"));
  exports.Set("enable", Napi::Function::New(env, Enable, "enable"));
  exports.Set("disable", Napi::Function::New(env, Disable, "disable"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("probe", Napi::Function::New(env, Probe, "probe"));
  exports.Set("setAffinity", Napi::Function::New(env, SetAffinity, "setAffinity"));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity, "getAffinity"));
  exports.Set("threadCpuNs", Napi::Function::New(env, ThreadCpuNs, "threadCpuNs"));
  // The Node-API version the addon was built against (binding.gyp's NAPI_VERSION).
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(perfgate, Init)
