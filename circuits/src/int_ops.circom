pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";

// Integer operations on signed values held in the field (negative v is r - |v|).
// B is chosen by the generator from interval analysis: the input lies in [-2^B, 2^B).

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
