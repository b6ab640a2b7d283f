// vshim.hpp — the part of every Verilator shim that does not depend on the top's ports:
// context and model ownership, reset, the clock, and the FST trace window. C++ only here;
// each shim exports a plain C API (extern "C") built on this template.
#ifndef PIMATTN_VSHIM_HPP
#define PIMATTN_VSHIM_HPP

#include <cstdint>
#include <memory>

#include <verilated.h>
#include <verilated_fst_c.h>

// Each shim is compiled once per build; the build's names arrive as bare macro arguments.
#define VSHIM_STR2(x) #x
#define VSHIM_STR(x) VSHIM_STR2(x)
#define VSHIM_CAT2(a, b) a##b
#define VSHIM_CAT(a, b) VSHIM_CAT2(a, b)

template <class Top> class VShim {
public:
    VShim(int argc, const char *const *argv) : ctx_(new VerilatedContext)
    {
        ctx_->commandArgs(argc, const_cast<const char **>(argv));
        ctx_->traceEverOn(true);
        ctx_->fatalOnError(false); // an RTL assertion ($error) is reported, the C side decides
        top_.reset(new Top(ctx_.get(), "top"));
        top_->clk_i = 0;
        top_->rst_ni = 1;
        top_->eval();
    }
    ~VShim()
    {
        close_trace();
        top_->final();
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
            fst_->dump(2 * cycle_);
        top_->clk_i = 1;
        top_->eval();
        if (dump)
            fst_->dump(2 * cycle_ + 1);
        top_->clk_i = 0;
        top_->eval();
        cycle_++;
        if (fst_ && cycle_ >= to_)
            close_trace();
    }

    // Opens the FST file now (so a bad path fails here) and dumps cycles [from, from + ncycles).
    int trace_window(const char *path, uint64_t from, uint64_t ncycles)
    {
        close_trace();
        std::unique_ptr<VerilatedFstC> f(new VerilatedFstC);
        top_->trace(f.get(), 99);
        f->open(path);
        if (!f->isOpen())
            return -1;
        fst_ = std::move(f);
        from_ = from;
        to_ = from + ncycles;
        return 0;
    }

private:
    void close_trace()
    {
        if (fst_) {
            fst_->close();
            fst_.reset();
        }
    }

    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Top> top_;
    std::unique_ptr<VerilatedFstC> fst_;
    uint64_t cycle_ = 0, from_ = 0, to_ = 0;
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

#endif
