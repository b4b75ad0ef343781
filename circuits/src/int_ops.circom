pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// Integer operations on signed values held in the field (negative v is r - |v|).
// B is chosen by the generator from interval analysis: the input lies in [-2^B, 2^B).
// The generator emits FloorShift, the fused FloorClip templates at the end of this file and
// ArgMaxFirst; ReluSigned, MaxConst and MinConst are the single-op forms (one decomposition
// each), kept for circuits written by hand and tested in circuits/test/int_ops_test.circom.

// 1 when in >= 0, else 0.
template NonNegative(B) {
    signal input in;
    signal output out;
    component bits = Num2Bits(B + 1);
    bits.in <== in + (1 << B);
    out <== bits.out[B];
}

// max(in, 0)
template ReluSigned(B) {
    signal input in;
    signal output out;
    component nn = NonNegative(B);
    nn.in <== in;
    out <== in * nn.out;
}

// floor(in / 2^K) (rounds towards -infinity, like ONNX Floor after Mul by 2^-K). Needs K <= B.
template FloorShift(B, K) {
    signal input in;
    signal output out;
    assert(K <= B);
    component bits = Num2Bits(B + 1);
    bits.in <== in + (1 << B);
    var acc = 0;
    for (var i = K; i <= B; i++) {
        acc += bits.out[i] * (1 << (i - K));
    }
    out <== acc - (1 << (B - K));
}

// max(in, c); D bounds |in - c| < 2^D.
template MaxConst(D, c) {
    signal input in;
    signal output out;
    component ge = NonNegative(D);
    ge.in <== in - c;
    out <== c + ge.out * (in - c);
}

// min(in, c); D bounds |c - in| < 2^D.
template MinConst(D, c) {
    signal input in;
    signal output out;
    component le = NonNegative(D);
    le.in <== c - in;
    out <== c + le.out * (in - c);
}

// (index of the first maximum, maximum) of N signed values; D bounds |a - b| + 1 < 2^D.
template ArgMaxFirst(N, D) {
    signal input in[N];
    signal output index;
    signal output max;
    signal best[N];
    signal idx[N];
    signal gt[N];
    component cmp[N];
    best[0] <== in[0];
    idx[0] <== 0;
    gt[0] <== 0;
    for (var i = 1; i < N; i++) {
        // strictly greater, so ties keep the earlier index
        cmp[i] = NonNegative(D);
        cmp[i].in <== in[i] - best[i - 1] - 1;
        gt[i] <== cmp[i].out;
        best[i] <== best[i - 1] + gt[i] * (in[i] - best[i - 1]);
        idx[i] <== idx[i - 1] + gt[i] * (i - idx[i - 1]);
    }
    index <== idx[N - 1];
    max <== best[N - 1];
}

// ---------------------------------------------------------------------------------------------
// Fused non-linear ops: one bit decomposition per value for any run of ReLU, floor shift and
// clip (circuits/tools/generate.ts reduces the run to clip(floor(in / 2^K), lo, hi), since
// floor is monotone: floor(clip(q, a, b) / 2^k) = clip(floor(q / 2^k), floor(a / 2^k),
// floor(b / 2^k)), relu(q) = clip(q, 0, +inf), and two clips make one). The caller picks B
// from the interval analysis so that the shifted input below lies in [-2^B, 2^B) with B <= 128
// (far from the 254-bit field, so the decomposition is unique); K <= B.
//
// The decomposition of d + 2^B gives: bit B, the sign (d >= 0); bits K..B-1, floor(d / 2^K)
// when d >= 0. Every output is a polynomial in those bits: nothing is assigned with `<--`.

// max(floor(in / 2^K), lo), e.g. ReLU (K = 0, lo = 0) or ReLU then a floor shift (lo = 0).
// in - lo * 2^K in [-2^B, 2^B). B + 2 constraints.
template FloorClipLo(B, K, lo) {
    signal input in;
    signal output out;
    assert(K <= B);
    component bits = Num2Bits(B + 1);
    bits.in <== in - lo * (1 << K) + (1 << B);
    // bits.out[B] = (in >= lo * 2^K) = (floor(in / 2^K) >= lo); then e = floor(in / 2^K) - lo
    var e = 0;
    for (var i = K; i < B; i++) {
        e += bits.out[i] * (1 << (i - K));
    }
    out <== lo + bits.out[B] * e;
}

// min(floor(in / 2^K), hi). (hi + 1) * 2^K - 1 - in in [-2^B, 2^B). B + 2 constraints.
template FloorClipHi(B, K, hi) {
    signal input in;
    signal output out;
    assert(K <= B);
    component bits = Num2Bits(B + 1);
    // d = (hi + 1) * 2^K - 1 - in = (hi - q) * 2^K + (2^K - 1 - r) for in = q * 2^K + r,
    // 0 <= r < 2^K: d >= 0 iff q <= hi, and then floor(d / 2^K) = hi - q.
    bits.in <== (hi + 1) * (1 << K) - 1 - in + (1 << B);
    var e = 0;
    for (var i = K; i < B; i++) {
        e += bits.out[i] * (1 << (i - K));
    }
    out <== hi - bits.out[B] * e;
}

// clip(floor(in / 2^K), lo, hi) with lo < hi; in - lo * 2^K in [-2^B, 2^B).
// With H = hi - lo and e = floor(in / 2^K) - lo (for in >= lo * 2^K): out = lo + [e >= 0] * min(e, H).
// Saturation (e > H) is read from the same bits when H + 1 = 2^W (any bit at or above K + W is
// set: one bit, the OR of two, or a zero test of their sum), else one comparison of e
// (B - K + 1 bits). Constraints: B + 1 + (0, 1 or 2 for saturation, or B - K + 1) + 2.
template FloorClip(B, K, lo, hi) {
    signal input in;
    signal output out;
    assert(K <= B);
    assert(lo < hi);
    var H = hi - lo;
    var W = 0;
    while ((1 << W) <= H) {
        W++;
    }
    // H < 2^W, and e < 2^(B - K)
    component bits = Num2Bits(B + 1);
    bits.in <== in - lo * (1 << K) + (1 << B);
    signal sign <== bits.out[B];
    var e = 0;
    for (var i = K; i < B; i++) {
        e += bits.out[i] * (1 << (i - K));
    }
    if (H + 1 >= (1 << (B - K))) {
        // e <= 2^(B - K) - 1 <= H: never saturates
        out <== lo + sign * e;
    } else if (H + 1 == (1 << W)) {
        // W < B - K. e > H iff one of the bits K + W .. B - 1 is set; else e = its low W bits.
        var low = 0;
        for (var i = K; i < K + W; i++) {
            low += bits.out[i] * (1 << (i - K));
        }
        signal sat;
        if (B - K - W == 1) {
            sat <== bits.out[K + W];
        } else if (B - K - W == 2) {
            // a or b, for bits a and b
            sat <== bits.out[K + W] + bits.out[K + W + 1] - bits.out[K + W] * bits.out[K + W + 1];
        } else {
            var high = 0;
            for (var i = K + W; i < B; i++) {
                high += bits.out[i];
            }
            component none = IsZero();
            none.in <== high;
            sat <== 1 - none.out;
        }
        signal capped <== sat * (H - low);
        out <== lo + sign * (low + capped);
    } else {
        // e > H iff e + 2^(B - K) - 1 - H >= 2^(B - K); that sum lies in [0, 2^(B - K + 1)).
        component gt = Num2Bits(B - K + 1);
        gt.in <== e + (1 << (B - K)) - 1 - H;
        signal capped <== gt.out[B - K] * (H - e);
        out <== lo + sign * (e + capped);
    }
}
