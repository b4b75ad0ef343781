pragma circom 2.1.0;

include "../src/int_ops.circom";

// Test main for the integer templates: every output is public so the test reads it.
template IntOpsTest() {
    signal input a;       // in [-2^10, 2^10)
    signal input v[4];    // in [-2^10, 2^10)
    signal output relu;
    signal output floor3;
    signal output maxc;   // max(a, -5)
    signal output minc;   // min(a, 100)
    signal output index;
    signal output max;

    component r = ReluSigned(10);
    r.in <== a;
    relu <== r.out;
    component f = FloorShift(10, 3);
    f.in <== a;
    floor3 <== f.out;
    component mx = MaxConst(11, -5);
    mx.in <== a;
    maxc <== mx.out;
    component mn = MinConst(11, 100);
    mn.in <== a;
    minc <== mn.out;
    component am = ArgMaxFirst(4, 12);
    am.in <== v;
    index <== am.index;
    max <== am.max;
}

component main = IntOpsTest();
