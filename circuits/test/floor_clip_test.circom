pragma circom 2.1.0;

include "../src/int_ops.circom";

// Test main for the fused templates (FloorClipLo, FloorClipHi, FloorClip): one input a in
// [-2^10, 2^10), every output public so the test reads it. Each line names the op run it proves
// and the branch of the template it takes; the widths are the generator's (interval analysis of
// the shifted input over a in [-1024, 1023]).
template FloorClipTest() {
    signal input a;
    signal output out[11];

    component c0 = FloorClipLo(10, 0, 0);      // relu(a)
    component c1 = FloorClipLo(10, 3, 0);      // floor(relu(a) / 8)
    component c2 = FloorClipLo(11, 3, -5);     // max(floor(a / 8), -5): a + 40 in [-984, 1063]
    component c3 = FloorClipHi(11, 3, 20);     // min(floor(a / 8), 20): 167 - a in [-856, 1191]
    component c4 = FloorClipHi(11, 0, 100);    // min(a, 100): 100 - a in [-923, 1124]
    component c5 = FloorClip(10, 3, 0, 31);    // clip(floor(relu(a) / 8), 0, 31): 2 high bits, or
    component c6 = FloorClip(10, 3, 0, 63);    // clip(floor(relu(a) / 8), 0, 63): 1 high bit
    component c7 = FloorClip(11, 2, -7, 50);   // clip(floor(a / 4), -7, 50): a + 28 in [-996, 1051], comparison
    component c8 = FloorClip(10, 3, 0, 200);   // clip(floor(relu(a) / 8), 0, 200): never saturates
    component c9 = FloorClip(11, 0, -128, 127); // clip(a, -128, 127) (QDQ int8): a + 128 in [-896, 1151], zero test
    component c10 = FloorClip(10, 3, 0, 15);  // clip(floor(relu(a) / 8), 0, 15): 3 high bits, zero test
    c0.in <== a;
    out[0] <== c0.out;
    c1.in <== a;
    out[1] <== c1.out;
    c2.in <== a;
    out[2] <== c2.out;
    c3.in <== a;
    out[3] <== c3.out;
    c4.in <== a;
    out[4] <== c4.out;
    c5.in <== a;
    out[5] <== c5.out;
    c6.in <== a;
    out[6] <== c6.out;
    c7.in <== a;
    out[7] <== c7.out;
    c8.in <== a;
    out[8] <== c8.out;
    c9.in <== a;
    out[9] <== c9.out;
    c10.in <== a;
    out[10] <== c10.out;
}

component main = FloorClipTest();
