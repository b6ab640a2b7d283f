// vshim.hpp — the part of every Verilator shim that does not depend on the top's ports:
// context and model ownership, reset, the clock, and the FST trace window. C++ only here;
// each shim exports a plain C API (extern "C") built on this template.
#ifndef PIMATTN_VSHIM_HPP
#define PIMATTN_VSHIM_HPP

#include <cerrno>
#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "gtkwave/fstapi.h"

#if VM_COVERAGE
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <unistd.h>
#include <verilated_cov.h>
#endif

// The FST writer maps its side files (FILE.hier, temporaries) into memory while it dumps and when it
// closes; when a write to them failed (a full disk, a file-size limit), touching the map raises SIGBUS.
// While a trace is open a SIGBUS handler is installed, and every call into the writer runs under a jump
// buffer it returns to: the trace is abandoned and the failure reported (trace_close() returns -1), not
// a crash. A signal handler can only reach its jump buffer through static storage: this one pointer, set
// only during a writer call. A SIGBUS anywhere else gets the default action, as before.
inline sigjmp_buf *&vshim_bus_jump()
{
    static sigjmp_buf *jb = nullptr;
    return jb;
}
extern "C" inline void vshim_on_bus(int sig)
{
    if (vshim_bus_jump())
        siglongjmp(*vshim_bus_jump(), 1);
    std::signal(sig, SIG_DFL); // not the writer's: the fault repeats with the default action
}

// Each shim is compiled once per build; the build's names arrive as bare macro arguments.
#define VSHIM_STR2(x) #x
#define VSHIM_STR(x) VSHIM_STR2(x)
#define VSHIM_CAT2(a, b) a##b
#define VSHIM_CAT(a, b) VSHIM_CAT2(a, b)

#if VM_COVERAGE
// The coverage build (`make coverage`, VM_COVERAGE=1, Verilator --coverage-line --coverage-toggle): each model
// has its own context and so its own coverage counters, which die with it. When a shim is destroyed (and, at
// exit, for every shim still alive) its context's counts are written to a temporary, read back and added to
// this build's sums, keyed by Verilator's point key (the hierarchy is the same "top..." in every instance);
// at exit the sums go to $PIMATTN_VLCOV_DIR/BUILD-PID.dat, a verilator_coverage data file. No directory set:
// nothing is written. The shim is compiled once per build (one .so each), so these statics are per build.
#ifndef VSHIM_BUILD
#define VSHIM_BUILD unit
#endif
namespace {
class VShimCov {
public:
    ~VShimCov()
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (VerilatedContext *c : live_)
            add_locked(c);
        live_.clear();
        const char *dir = std::getenv("PIMATTN_VLCOV_DIR");
        if (!dir || !dir[0] || sums_.empty())
            return;
        const std::string path =
            std::string(dir) + "/" + VSHIM_STR(VSHIM_BUILD) + "-" + std::to_string((long)getpid()) + ".dat";
        std::ofstream out(path, std::ios::trunc);
        out << "# SystemC::Coverage-3\n";
        for (const auto &kv : sums_)
            out << kv.first << ' ' << kv.second << '\n';
    }
    void live(VerilatedContext *c)
    {
        std::lock_guard<std::mutex> lock(mu_);
        live_.insert(c);
    }
    void done(VerilatedContext *c)
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (live_.erase(c))
            add_locked(c);
    }

private:
    // Lines "C '<key>' <count>": the key up to the last space, then the count.
    void add_locked(VerilatedContext *c)
    {
        const char *dir = std::getenv("PIMATTN_VLCOV_DIR");
        if (!dir || !dir[0])
            return;
        const std::string tmp = std::string(dir) + "/.tmp-" + VSHIM_STR(VSHIM_BUILD) + "-" +
                                std::to_string((long)getpid()) + ".dat";
        c->coveragep()->write(tmp.c_str());
        std::ifstream in(tmp);
        std::string line;
        while (std::getline(in, line)) {
            const size_t sp = line.rfind(' ');
            if (line.compare(0, 2, "C ") != 0 || sp == std::string::npos)
                continue;
            sums_[line.substr(0, sp)] += std::strtoull(line.c_str() + sp + 1, nullptr, 10);
        }
        std::remove(tmp.c_str());
    }
    std::mutex mu_;
    std::set<VerilatedContext *> live_;
    std::map<std::string, uint64_t> sums_;
};
VShimCov vshim_cov;
} // namespace
#endif

template <class Top> class VShim {
public:
    VShim(int argc, const char *const *argv) : ctx_(new VerilatedContext)
    {
        // Verilator 5.006 parses +verilator+ numbers with strtoul and then tests errno without clearing it
        // first: a stale ERANGE (e.g. from an exp() that underflowed anywhere before) aborts the process.
        // Every Verilated model is created here, so this is the one place that makes them all immune.
        errno = 0;
        ctx_->commandArgs(argc, const_cast<const char **>(argv));
        ctx_->traceEverOn(true);
        ctx_->fatalOnError(false); // an RTL assertion ($error) is reported, the C side decides
        top_.reset(new Top(ctx_.get(), "top"));
        top_->clk_i = 0;
        top_->rst_ni = 1;
        top_->eval();
#if VM_COVERAGE
        vshim_cov.live(ctx_.get());
#endif
    }
    ~VShim()
    {
        (void)close_trace();
        top_->final();
#if VM_COVERAGE
        vshim_cov.done(ctx_.get());
#endif
    }
    Top *top() { return top_.get(); }
    const Top *top() const { return top_.get(); }
    uint64_t cycle() const { return cycle_; }
    // True once an RTL assertion ($error) has fired since create.
    bool assert_fired() const { return ctx_->gotError(); }

    void eval() { top_->eval(); }

    // Asynchronous active-low reset held for `cycles` clocks.
    void reset(int cycles)
    {
        top_->rst_ni = 0;
        top_->eval();
        for (int i = 0; i < cycles; i++)
            tick();
        top_->rst_ni = 1;
        top_->eval();
    }

    // One clock: sample the pre-edge state, rising edge, falling edge. Two time units per cycle.
    void tick()
    {
        const bool dump = fst_ && cycle_ >= from_;
        top_->eval();
        if (dump)
            guarded([&] { fst_->dump(2 * cycle_); });
        top_->clk_i = 1;
        top_->eval();
        if (dump && fst_)
            guarded([&] { fst_->dump(2 * cycle_ + 1); });
        top_->clk_i = 0;
        top_->eval();
        cycle_++;
        if (fst_ && dump)
            last_time_ = 2 * cycle_ - 1;
        if (fst_ && cycle_ >= to_)
            (void)close_trace();
    }

    // Opens the FST file now (so a bad path fails here) and dumps cycles [from, from + ncycles).
    // -2: the model was Verilated without tracing (its traced build is build/vunits/trace/BUILD.so).
    int trace_window(const char *path, uint64_t from, uint64_t ncycles)
    {
#if !VM_TRACE
        (void)path, (void)from, (void)ncycles;
        return -2;
#else
        (void)close_trace();
        fst_.reset(new VerilatedFstC);
        path_ = path;
        from_ = from;
        to_ = from + ncycles;
        last_time_ = 0;
        trace_err_ = 0;
        struct sigaction sa;
        std::memset(&sa, 0, sizeof sa);
        sa.sa_handler = vshim_on_bus;
        sa.sa_flags = SA_NODEFER; // the jump leaves the handler without restoring the signal mask
        sigemptyset(&sa.sa_mask);
        sigaction(SIGBUS, &sa, &old_bus_);
        top_->trace(fst_.get(), 99);
        guarded([&] { fst_->open(path); });
        if (!fst_ || !fst_->isOpen()) {
            (void)close_trace();
            return -1;
        }
        return 0;
#endif
    }

    // Closes the trace (if still open) and checks the file: 0, or -1 if a write failed. The FST writer
    // does not report its write errors, so the file is read back and must reach the last dumped time.
    int trace_close() { return close_trace(); }

private:
    // Runs one call into the FST writer; a SIGBUS inside abandons the trace.
    template <class F> void guarded(F &&f)
    {
        sigjmp_buf jb;
        vshim_bus_jump() = &jb;
        if (sigsetjmp(jb, 0) == 0) {
            f();
        } else {
            (void)fst_.release(); // the writer's state is unusable after the fault: abandoned, not freed
            trace_err_ = -1;
            traced_ = true;
        }
        vshim_bus_jump() = nullptr;
    }

    int close_trace()
    {
        if (!fst_ && !traced_)
            return trace_err_;
        if (fst_)
            guarded([&] { fst_->close(); });
        fst_.reset();
        traced_ = false;
        sigaction(SIGBUS, &old_bus_, nullptr);
        if (trace_err_ == 0) {
            void *r = fstReaderOpen(path_.c_str());
            if (!r || fstReaderGetEndTime(r) < last_time_)
                trace_err_ = -1;
            if (r)
                fstReaderClose(r);
        }
        if (trace_err_)
            std::remove((path_ + ".hier").c_str()); // the writer's side file, left behind by a failure
        return trace_err_;
    }

    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Top> top_;
    std::unique_ptr<VerilatedFstC> fst_;
    std::string path_;
    struct sigaction old_bus_;
    uint64_t cycle_ = 0, from_ = 0, to_ = 0, last_time_ = 0;
    int trace_err_ = 0;
    bool traced_ = false; // a trace was abandoned and close_trace() has not yet restored SIGBUS
};

// The C API functions every shim exports, as templates over the shim and its opaque C handle type.
template <class S, class C> C *vshim_create(int argc, const char *const *argv)
{
    try {
        return reinterpret_cast<C *>(new S(argc, argv));
    } catch (...) {
        return nullptr;
    }
}
template <class S, class C> void vshim_destroy(C *s) { delete reinterpret_cast<S *>(s); }
template <class S, class C> void vshim_reset(C *s, int cycles) { reinterpret_cast<S *>(s)->reset(cycles); }
template <class S, class C> void vshim_tick(C *s) { reinterpret_cast<S *>(s)->tick(); }
template <class S, class C> uint64_t vshim_cycle(const C *s) { return reinterpret_cast<const S *>(s)->cycle(); }
template <class S, class C> int vshim_assert_fired(const C *s)
{
    return reinterpret_cast<const S *>(s)->assert_fired() ? 1 : 0;
}
template <class S, class C> int vshim_trace_window(C *s, const char *path, uint64_t from, uint64_t n)
{
    return reinterpret_cast<S *>(s)->trace_window(path, from, n);
}
template <class S, class C> int vshim_trace_close(C *s) { return reinterpret_cast<S *>(s)->trace_close(); }

#endif
