// Audit Replay's native fast path for audit-export/1 verification.
//
// scanEvents() looks at a batch of lines and picks out the event lines that
// are already in RFC 8785 canonical form, well typed, hash to their recorded
// hash, and continue the event before them (link, seq + 1, time not going
// back). For those, it returns the recorded hash, the RFC 6962 leaf hash and
// the few members the chain verifier needs. Every other line is left to the
// JavaScript verifier (src/shared/export/parse-line.ts), which is the
// reference: this code accepts a strict subset of what the JavaScript
// canonical scanner accepts, and anything unusual (escaped or non-ASCII
// member names, numbers other than short integers, deep nesting, a finding of
// any kind) is simply not taken, so the verdict and findings are the same
// with or without it (tested: test/core/native-scan.test.ts).
//
// merkleAppend() appends leaf hashes to an RFC 6962 incremental tree kept by
// the caller as a stack of perfect subtrees.
//
// SHA-256 is OpenSSL's, the copy inside the Node binary (node:crypto's).

#include <node_api.h>
#include <openssl/sha.h>
#include <cstdint>
#include <cstring>

namespace {

constexpr int kMaxDepth = 64;

// Bytes a canonical string holds as they are: not a quote, a backslash or a control character.
struct PlainTable {
  bool t[256];
  constexpr PlainTable() : t() {
    for (int c = 0; c < 256; c++) t[c] = c >= 0x20 && c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlainTable;
constexpr const bool* kPlain = kPlainTable.t;

// a < b, byte by byte (ASCII names: the same as UTF-16 order).
inline bool Less(const uint8_t* a, size_t an, const uint8_t* b, size_t bn) {
  size_t m = an < bn ? an : bn;
  for (size_t i = 0; i < m; i++) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return an < bn;
}

struct Span {
  const uint8_t* p = nullptr;
  size_t n = 0;
};

class Scanner {
 public:
  Scanner(const uint8_t* p, size_t n) : s_(p), end_(p + n), pos_(p) {}

  const uint8_t* s_;
  const uint8_t* end_;
  const uint8_t* pos_;

  bool Value(int depth) {
    if (pos_ >= end_) return false;
    switch (*pos_) {
      case '"': return String(nullptr);
      case '{': return Object(depth + 1, nullptr);
      case '[': return Array(depth + 1);
      case 't': return Word("true", 4);
      case 'f': return Word("false", 5);
      case 'n': return Word("null", 4);
      default: return Number();
    }
  }

  bool Word(const char* w, size_t n) {
    if (static_cast<size_t>(end_ - pos_) < n || memcmp(pos_, w, n) != 0) return false;
    pos_ += n;
    return true;
  }

  // A string in canonical spelling. When `plain` is given, the string must
  // also be plain ASCII without escapes, and its content is returned.
  bool String(Span* plain) {
    const uint8_t* open = ++pos_;
    bool escaped = false;
    for (;;) {
      // Most bytes are neither a quote, a backslash nor a control character.
      while (pos_ < end_ && kPlain[*pos_]) pos_++;
      if (pos_ >= end_) return false;
      uint8_t c = *pos_;
      if (c == '"') break;
      if (c != '\\') return false;  // a raw control character
      if (pos_ + 1 >= end_) return false;
      uint8_t e = pos_[1];
      if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
        pos_ += 2;
      } else if (e == 'u') {
        // Only \u00XX for controls without a short form, lowercase hex.
        if (end_ - pos_ < 6 || pos_[2] != '0' || pos_[3] != '0' || (pos_[4] != '0' && pos_[4] != '1')) return false;
        uint8_t h = pos_[5];
        int low;
        if (h >= '0' && h <= '9') low = h - '0';
        else if (h >= 'a' && h <= 'f') low = h - 'a' + 10;
        else return false;
        int code = (pos_[4] - '0') * 16 + low;
        if (code == 0x08 || code == 0x09 || code == 0x0a || code == 0x0c || code == 0x0d) return false;
        pos_ += 6;
      } else {
        return false;
      }
      escaped = true;
    }
    if (plain) {
      if (escaped) return false;
      for (const uint8_t* q = open; q < pos_; q++) {
        if (*q >= 0x80) return false;
      }
      plain->p = open;
      plain->n = static_cast<size_t>(pos_ - open);
    }
    pos_++;
    return true;
  }

  // Short integers only (what JavaScript prints as written); anything else is
  // left to the JavaScript scanner.
  bool Number(double* out = nullptr) {
    bool neg = false;
    if (pos_ < end_ && *pos_ == '-') {
      neg = true;
      pos_++;
    }
    const uint8_t* digits = pos_;
    double v = 0;
    while (pos_ < end_ && *pos_ >= '0' && *pos_ <= '9') {
      v = v * 10 + (*pos_ - '0');
      pos_++;
    }
    size_t n = static_cast<size_t>(pos_ - digits);
    if (n == 0 || n > 15) return false;
    if (*digits == '0' && n > 1) return false;
    if (neg && n == 1 && *digits == '0') return false;  // -0
    if (pos_ < end_ && (*pos_ == '.' || *pos_ == 'e' || *pos_ == 'E' || *pos_ == '+' || *pos_ == '-')) return false;
    if (out) *out = neg ? -v : v;
    return true;
  }

  struct Member {
    Span key;
    const uint8_t* member_start;
    const uint8_t* value_start;
    const uint8_t* value_end;
  };

  // An object with ASCII, unescaped member names in strictly increasing
  // order. With `members`, the top-level members are recorded (at most 64).
  bool Object(int depth, Member* members, int* count = nullptr, int max = 0) {
    if (depth > kMaxDepth) return false;
    pos_++;  // {
    if (pos_ < end_ && *pos_ == '}') {
      pos_++;
      return true;
    }
    Span prev;
    bool first = true;
    for (;;) {
      const uint8_t* member_start = pos_;
      if (pos_ >= end_ || *pos_ != '"') return false;
      Span key;
      if (!String(&key)) return false;
      if (!first && !Less(prev.p, prev.n, key.p, key.n)) return false;
      first = false;
      prev = key;
      if (pos_ >= end_ || *pos_ != ':') return false;
      pos_++;
      const uint8_t* value_start = pos_;
      if (!Value(depth)) return false;
      if (members) {
        if (*count >= max) return false;
        members[(*count)++] = Member{key, member_start, value_start, pos_};
      }
      if (pos_ >= end_) return false;
      uint8_t c = *pos_++;
      if (c == '}') return true;
      if (c != ',') return false;
    }
  }

  bool Array(int depth) {
    if (depth > kMaxDepth) return false;
    pos_++;  // [
    if (pos_ < end_ && *pos_ == ']') {
      pos_++;
      return true;
    }
    for (;;) {
      if (!Value(depth)) return false;
      if (pos_ >= end_) return false;
      uint8_t c = *pos_++;
      if (c == ']') return true;
      if (c != ',') return false;
    }
  }
};

bool KeyIs(const Span& k, const char* name) {
  size_t n = strlen(name);
  return k.n == n && memcmp(k.p, name, n) == 0;
}

// Lowercase hex digit values, 16 for anything else. A table, not branches:
// hash digits are random, so digit-or-letter branches mispredict half the time.
struct HexTable {
  uint8_t t[256];
  constexpr HexTable() : t() {
    for (int c = 0; c < 256; c++) t[c] = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 16;
  }
};
constexpr HexTable kHexTable;

// A string value of exactly 64 lowercase hex digits, decoded.
bool Hex64(const uint8_t* value_start, const uint8_t* value_end, uint8_t out[32]) {
  if (value_end - value_start != 66 || value_start[0] != '"' || value_start[65] != '"') return false;
  unsigned bad = 0;
  for (int i = 0; i < 32; i++) {
    unsigned hi = kHexTable.t[value_start[1 + 2 * i]];
    unsigned lo = kHexTable.t[value_start[2 + 2 * i]];
    bad |= (hi | lo) & 16;
    out[i] = static_cast<uint8_t>((hi << 4) | (lo & 15));
  }
  return bad == 0;
}

bool IsPlainString(const uint8_t* value_start, const uint8_t* value_end, Span* out) {
  Scanner s(value_start, static_cast<size_t>(value_end - value_start));
  if (s.pos_ >= s.end_ || *s.pos_ != '"') return false;
  return s.String(out) && s.pos_ == s.end_;
}

// "actor": an object whose "type" and "id" are strings (other members allowed).
bool IsActor(const uint8_t* value_start, const uint8_t* value_end) {
  if (*value_start != '{') return false;
  Scanner s(value_start, static_cast<size_t>(value_end - value_start));
  Scanner::Member members[64];
  int count = 0;
  if (!s.Object(1, members, &count, 64)) return false;
  bool type = false, id = false;
  for (int i = 0; i < count; i++) {
    bool str = *members[i].value_start == '"';
    if (KeyIs(members[i].key, "type")) type = str;
    if (KeyIs(members[i].key, "id")) id = str;
  }
  return type && id;
}

struct EventFields {
  double seq;
  Span ts;
  uint8_t hash[32];
  uint8_t prev[32];
};

// The spec's time form, YYYY-MM-DDTHH:MM:SS.sssZ, with fields that name a real
// UTC instant (no 23:59:60, no 30 February). Anything else is left to the
// JavaScript verifier (parseUtcTimestamp), which reports it.
bool IsUtcMillis(const Span& t) {
  static const char kShape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (t.n != 24) return false;
  for (size_t i = 0; i < 24; i++) {
    const uint8_t c = t.p[i];
    if (kShape[i] == 'd' ? (c < '0' || c > '9') : c != static_cast<uint8_t>(kShape[i])) return false;
  }
  auto num = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = 0; i < len; i++) v = v * 10 + (t.p[at + i] - '0');
    return v;
  };
  const int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days = month == 2 && leap ? 29 : kDays[month - 1];
  return day <= days && num(11, 2) <= 23 && num(14, 2) <= 59 && num(17, 2) <= 59;
}

// One line: a clean canonical event whose content hashes to its recorded hash?
bool ScanEvent(const uint8_t* line, size_t n, EventFields* f) {
  if (n < 2 || line[0] != '{') return false;
  Scanner s(line, n);
  Scanner::Member members[64];
  int count = 0;
  if (!s.Object(0, members, &count, 64) || s.pos_ != s.end_) return false;
  bool type = false, seq = false, ts = false, kind = false, actor = false, data = false, prev = false;
  const Scanner::Member* hash = nullptr;
  for (int i = 0; i < count; i++) {
    const Scanner::Member& m = members[i];
    const uint8_t* v = m.value_start;
    if (KeyIs(m.key, "type")) {
      type = m.value_end - v == 7 && memcmp(v, "\"event\"", 7) == 0;
    } else if (KeyIs(m.key, "hash")) {
      if (!Hex64(v, m.value_end, f->hash)) return false;
      hash = &m;
    } else if (KeyIs(m.key, "prev_hash")) {
      prev = Hex64(v, m.value_end, f->prev);
    } else if (KeyIs(m.key, "seq")) {
      Scanner num(v, static_cast<size_t>(m.value_end - v));
      seq = *v != '"' && num.Number(&f->seq) && num.pos_ == num.end_;
    } else if (KeyIs(m.key, "ts")) {
      ts = IsPlainString(v, m.value_end, &f->ts) && IsUtcMillis(f->ts);
    } else if (KeyIs(m.key, "kind")) {
      kind = *v == '"';
    } else if (KeyIs(m.key, "actor")) {
      actor = IsActor(v, m.value_end);
    } else if (KeyIs(m.key, "data")) {
      data = *v == '{';
    }
  }
  if (!(type && seq && ts && kind && actor && data && prev && hash)) return false;
  // The hashed bytes: the line without its "hash" member (and one comma).
  const uint8_t* a_end;
  const uint8_t* b_start;
  if (hash->member_start[-1] == ',') {
    a_end = hash->member_start - 1;
    b_start = hash->value_end;
  } else if (hash->value_end < line + n && *hash->value_end == ',') {
    a_end = hash->member_start;
    b_start = hash->value_end + 1;
  } else {
    a_end = hash->member_start;
    b_start = hash->value_end;
  }
  uint8_t computed[32];
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, line, static_cast<size_t>(a_end - line));
  SHA256_Update(&ctx, b_start, static_cast<size_t>(line + n - b_start));
  SHA256_Final(computed, &ctx);
  return memcmp(computed, f->hash, 32) == 0;
}

// SHA-256 through the low-level calls: OpenSSL 3's one-shot SHA256() goes
// through a provider fetch on every call, several times slower for 33 or 65 bytes.
void Sha256(const uint8_t* data, size_t n, uint8_t out[32]) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data, n);
  SHA256_Final(out, &ctx);
}

bool TsNotBefore(const Span& now, const Span& before) {
  size_t m = now.n < before.n ? now.n : before.n;
  int c = memcmp(now.p, before.p, m);
  return c > 0 || (c == 0 && now.n >= before.n);
}

napi_value Throw(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

bool GetTyped(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* length) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) return false;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, data, &buffer, &offset) != napi_ok) return false;
  return type == want;
}

// scanEvents(bytes: Uint8Array, offsets: Uint32Array, status: Uint8Array(n),
//            seq: Float64Array(n), hashes: Uint8Array(32n), prevs: Uint8Array(32n),
//            leaves: Uint8Array(32n), ts: Uint32Array(2n)) -> number of lines taken.
// Line i spans bytes[offsets[i], offsets[i+1]) including its "\n". status[i]
// is 1 for a clean event that continues line i-1 (also clean), 2 for a clean
// event that starts a run, 0 for a line left to JavaScript.
napi_value ScanEvents(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 8) return Throw(env, "scanEvents takes 8 arguments");
  uint8_t* bytes;
  uint32_t* offsets;
  uint8_t* status;
  double* seqs;
  uint8_t* hashes;
  uint8_t* prevs;
  uint8_t* leaves;
  uint32_t* ts;
  size_t nbytes, noffsets, nstatus, nseq, nhashes, nprevs, nleaves, nts;
  if (!GetTyped(env, argv[0], napi_uint8_array, reinterpret_cast<void**>(&bytes), &nbytes) ||
      !GetTyped(env, argv[1], napi_uint32_array, reinterpret_cast<void**>(&offsets), &noffsets) ||
      !GetTyped(env, argv[2], napi_uint8_array, reinterpret_cast<void**>(&status), &nstatus) ||
      !GetTyped(env, argv[3], napi_float64_array, reinterpret_cast<void**>(&seqs), &nseq) ||
      !GetTyped(env, argv[4], napi_uint8_array, reinterpret_cast<void**>(&hashes), &nhashes) ||
      !GetTyped(env, argv[5], napi_uint8_array, reinterpret_cast<void**>(&prevs), &nprevs) ||
      !GetTyped(env, argv[6], napi_uint8_array, reinterpret_cast<void**>(&leaves), &nleaves) ||
      !GetTyped(env, argv[7], napi_uint32_array, reinterpret_cast<void**>(&ts), &nts)) {
    return Throw(env, "scanEvents: wrong argument types");
  }
  if (noffsets < 1) return Throw(env, "scanEvents: no offsets");
  size_t lines = noffsets - 1;
  if (nstatus < lines || nseq < lines || nhashes < 32 * lines || nprevs < 32 * lines || nleaves < 32 * lines || nts < 2 * lines) {
    return Throw(env, "scanEvents: output arrays too small");
  }
  if (offsets[lines] > nbytes) return Throw(env, "scanEvents: offsets past the bytes");
  uint32_t taken = 0;
  bool prev_clean = false;
  EventFields prev{};
  for (size_t i = 0; i < lines; i++) {
    uint32_t start = offsets[i];
    uint32_t end = offsets[i + 1];
    if (end < start) return Throw(env, "scanEvents: offsets out of order");
    size_t n = end - start;
    if (n > 0 && bytes[end - 1] == '\n') n--;
    EventFields f{};
    status[i] = 0;
    if (!ScanEvent(bytes + start, n, &f)) {
      prev_clean = false;
      continue;
    }
    bool continues = prev_clean && memcmp(f.prev, prev.hash, 32) == 0 && f.seq == prev.seq + 1 && TsNotBefore(f.ts, prev.ts);
    if (prev_clean && !continues) {
      // A link, number or time for the JavaScript verifier to judge and explain.
      prev_clean = false;
      continue;
    }
    status[i] = continues ? 1 : 2;
    seqs[i] = f.seq;
    memcpy(hashes + 32 * i, f.hash, 32);
    memcpy(prevs + 32 * i, f.prev, 32);
    uint8_t leaf_in[33];
    leaf_in[0] = 0;
    memcpy(leaf_in + 1, f.hash, 32);
    Sha256(leaf_in, 33, leaves + 32 * i);
    ts[2 * i] = static_cast<uint32_t>(f.ts.p - bytes);
    ts[2 * i + 1] = static_cast<uint32_t>(f.ts.n);
    prev = f;
    prev_clean = true;
    taken++;
  }
  napi_value result;
  napi_create_uint32(env, taken, &result);
  return result;
}

// merkleAppend(sizes: Float64Array(64), stack: Uint8Array(32*64), depth, leaves: Uint8Array(32k)) -> new depth
napi_value MerkleAppend(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 4) return Throw(env, "merkleAppend takes 4 arguments");
  double* sizes;
  uint8_t* stack;
  uint8_t* leaves;
  size_t nsizes, nstack, nleaves;
  uint32_t depth;
  if (!GetTyped(env, argv[0], napi_float64_array, reinterpret_cast<void**>(&sizes), &nsizes) ||
      !GetTyped(env, argv[1], napi_uint8_array, reinterpret_cast<void**>(&stack), &nstack) ||
      napi_get_value_uint32(env, argv[2], &depth) != napi_ok ||
      !GetTyped(env, argv[3], napi_uint8_array, reinterpret_cast<void**>(&leaves), &nleaves)) {
    return Throw(env, "merkleAppend: wrong argument types");
  }
  if (nstack < 32 * nsizes || depth > nsizes || nleaves % 32 != 0) return Throw(env, "merkleAppend: bad sizes");
  uint8_t node_in[65];
  node_in[0] = 1;
  for (size_t k = 0; k < nleaves / 32; k++) {
    uint8_t node[32];
    memcpy(node, leaves + 32 * k, 32);
    double size = 1;
    while (depth > 0 && sizes[depth - 1] == size) {
      memcpy(node_in + 1, stack + 32 * (depth - 1), 32);
      memcpy(node_in + 33, node, 32);
      Sha256(node_in, 65, node);
      size *= 2;
      depth--;
    }
    if (depth >= nsizes) return Throw(env, "merkleAppend: stack full");
    sizes[depth] = size;
    memcpy(stack + 32 * depth, node, 32);
    depth++;
  }
  napi_value result;
  napi_create_uint32(env, depth, &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"scanEvents", nullptr, ScanEvents, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"merkleAppend", nullptr, MerkleAppend, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 2, props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
