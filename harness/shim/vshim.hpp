// vshim.hpp — the part of every Verilator shim that does not depend on the top's ports:
// context and model ownership, reset, the clock, and the FST trace window. C++ only here;
// each shim exports a plain C API (extern "C") built on this template.
#ifndef PIMATTN_VSHIM_HPP
#define PIMATTN_VSHIM_HPP

#include <cstdint>
#include <memory>

#include <verilated.h>
#include <verilated_fst_c.h>

template <class Top> class VShim {
public:
    VShim(int argc, const char *const *argv) : ctx_(new VerilatedContext)
    {
        ctx_->commandArgs(argc, const_cast<const char **>(argv));
        ctx_->traceEverOn(true);
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

#endif
