// Host emulation of the CUDA kernels (see shim.h): each kernel on small odd shapes, with grids
// both smaller than the work (the grid-stride loop wraps) and larger (threads past the end),
// against direct loops in double. Exit status 1 and the failing check on a mismatch.
#include "shim.h"
#include "../kernels.cu"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

static int failures = 0;
static std::mt19937 rng(12345);

static std::vector<float> gauss(size_t n, double s = 1) {
  std::normal_distribution<double> d(0, s);
  std::vector<float> v(n);
  for (auto& x : v) x = (float)d(rng);
  return v;
}

static void check(const std::vector<float>& got, const std::vector<double>& want, double tol,
                  const std::string& what) {
  for (size_t i = 0; i < want.size(); i++) {
    if (!(std::fabs(got[i] - want[i]) <= tol * std::max(1.0, std::fabs(want[i])))) {
      std::printf("FAIL %s: [%zu] got %.9g want %.9g\n", what.c_str(), i, got[i], want[i]);
      failures++;
      return;
    }
  }
}

// Grids to try: fewer threads than elements (the loop wraps) and more.
static const unsigned GRIDS[][2] = {{1, 32}, {3, 64}, {64, 256}};

static void elementwise() {
  for (int n : {0, 1, 33, 1027}) {
    for (auto& g : GRIDS) {
      auto x = gauss(n), y = gauss(n), z = gauss(n);
      std::vector<double> w(n);
      auto y0 = y;
      emu_launch(g[0], g[1], [&] { axpy_f32(x.data(), y.data(), n, 0.5f); });
      for (int i = 0; i < n; i++) w[i] = y0[i] + 0.5 * x[i];
      check(y, w, 1e-6, "axpy n " + std::to_string(n));
      auto z0 = z;
      emu_launch(g[0], g[1], [&] { mul_f32(x.data(), y.data(), z.data(), n, 1); });
      for (int i = 0; i < n; i++) w[i] = z0[i] + (double)x[i] * y[i];
      check(z, w, 1e-6, "mulAddInto");
      for (int act = 0; act <= 3; act++) {
        std::vector<float> out(n);
        emu_launch(g[0], g[1], [&] { bias_act_fwd(x.data(), nullptr, out.data(), 1, n, act); });
        for (int i = 0; i < n; i++) {
          double v = x[i];
          w[i] = act == 1 ? std::max(v, 0.0) : act == 2 ? std::tanh(v)
                 : act == 3 ? 1 / (1 + std::exp(-v)) : v;
        }
        check(out, w, 1e-6, "activation " + std::to_string(act));
        std::vector<float> dx(n);
        emu_launch(g[0], g[1], [&] { act_bwd_f32(out.data(), y.data(), dx.data(), n, act); });
        for (int i = 0; i < n; i++) {
          double o = out[i];
          double d = act == 1 ? (o > 0) : act == 2 ? 1 - o * o : act == 3 ? o * (1 - o) : 1;
          w[i] = y[i] * d;
        }
        check(dx, w, 1e-6, "activation backward " + std::to_string(act));
      }
      std::vector<float> f(n, NAN);
      emu_launch(g[0], g[1], [&] { fill_f32(f.data(), n, -0.75f); });
      check(f, std::vector<double>(n, -0.75), 0, "fill");
      auto s0 = x;
      emu_launch(g[0], g[1], [&] { scale_f32(s0.data(), n, 3.f); });
      for (int i = 0; i < n; i++) w[i] = 3.0 * x[i];
      check(s0, w, 1e-6, "scale");
      emu_launch(g[0], g[1], [&] { mul_f32(x.data(), y.data(), f.data(), n, 0); });
      for (int i = 0; i < n; i++) w[i] = (double)x[i] * y[i];
      check(f, w, 1e-6, "mul");
      auto d0 = y;
      emu_launch(g[0], g[1], [&] { segment_sum_f32(x.data(), y.data(), n); });
      for (int i = 0; i < n; i++) w[i] = (double)d0[i] + x[i];
      check(y, w, 1e-6, "segment_sum");
    }
  }
}

// The element-wise kernels take 4 elements at a time only where every pointer is 16-byte
// aligned; a buffer slice at an odd offset takes the one-element path. Both must agree.
static void unaligned() {
  int n = 1027;
  for (int off : {0, 1, 2, 3}) {
    auto x = gauss(n + 4), y = gauss(n + 4), z = gauss(n + 4);
    auto y0 = y, z0 = z;
    float *px = x.data() + off, *py = y.data() + 1, *pz = z.data() + off;
    emu_launch(3, 64, [&] { axpy_f32(px, py, n, 0.5f); });
    emu_launch(3, 64, [&] { scale_f32(pz, n, 2.f); });
    emu_launch(3, 64, [&] { segment_sum_f32(px, pz, n); });
    std::vector<double> wy(y0.begin(), y0.end()), wz(z0.begin(), z0.end());
    for (int i = 0; i < n; i++) {
      wy[1 + i] += 0.5 * x[off + i];
      wz[off + i] = 2.0 * z0[off + i] + x[off + i];
    }
    check(y, wy, 1e-6, "axpy at float offsets " + std::to_string(off) + ", 1");
    check(z, wz, 1e-6, "scale + segment_sum at float offset " + std::to_string(off));
  }
}

static void rows() {
  // copy_columns and select_rows through 16-byte accesses (every width and offset a multiple
  // of 4), against the direct loops
  {
    int r = 7;
    auto src = gauss(r * 12), a = gauss(r * 8), b = gauss(r * 8);
    std::vector<float> dst(r * 16, -7.f), out(r * 8);
    emu_launch(2, 32, [&] { copy_columns(src.data(), 12, 4, dst.data(), 16, 8, r, 8); });
    std::vector<uint8_t> keep(r);
    for (int i = 0; i < r; i++) keep[i] = (i % 3) != 1;
    emu_launch(2, 32, [&] { select_rows(keep.data(), a.data(), b.data(), out.data(), r, 8); });
    std::vector<double> wd(r * 16, -7.0), wo(r * 8);
    for (int i = 0; i < r; i++)
      for (int j = 0; j < 8; j++) {
        wd[i * 16 + 8 + j] = src[i * 12 + 4 + j];
        wo[i * 8 + j] = keep[i] ? a[i * 8 + j] : b[i * 8 + j];
      }
    check(dst, wd, 0, "copy_columns, 4 floats at a time");
    check(out, wo, 0, "select_rows, 4 floats at a time");
  }
  for (auto rc : {std::pair{1, 1}, {5, 3}, {9, 33}, {70, 300}, {1000, 2}, {6, 8}}) {
    int r = rc.first, c = rc.second;
    auto x = gauss((size_t)r * c), b = gauss(c), dy = gauss((size_t)r * c);
    std::vector<float> y(x.size());
    emu_launch(3, 64, [&] { bias_act_fwd(x.data(), b.data(), y.data(), r, c, 2); });
    std::vector<double> w(x.size());
    for (int i = 0; i < r; i++)
      for (int j = 0; j < c; j++) w[i * c + j] = std::tanh((double)x[i * c + j] + b[j]);
    check(y, w, 1e-6, "bias + tanh forward " + std::to_string(r) + "x" + std::to_string(c));
    for (int per : {1, 7, 32, r}) {
      int tiles = (c + 63) / 64, chunks = (r + per - 1) / per;
      for (unsigned blocks : {1u, 5u, (unsigned)(tiles * chunks)}) {
        std::vector<float> dx(x.size()), db(c, 0.25f);
        emu_launch(blocks, 64, [&] {
          bias_act_bwd(y.data(), dy.data(), dx.data(), db.data(), r, c, 2, per);
        });
        std::vector<double> wdx(x.size()), wdb(c, 0.25);
        for (int i = 0; i < r; i++)
          for (int j = 0; j < c; j++) {
            double g = dy[i * c + j] * (1 - (double)y[i * c + j] * y[i * c + j]);
            wdx[i * c + j] = g;
            wdb[j] += g;
          }
        check(dx, wdx, 1e-6, "bias + tanh backward dx");
        check(db, wdb, 1e-5, "bias + tanh backward dBias, rows per chunk " + std::to_string(per)
                                 + ", blocks " + std::to_string(blocks));
      }
    }
    // copy_columns: columns [1, 1 + width) of (r, c) into columns [2, ...) of (r, c + 3)
    if (c >= 2) {
      int width = c - 1, dc = c + 3;
      std::vector<float> dst(r * dc, -7.f);
      emu_launch(2, 32, [&] { copy_columns(x.data(), c, 1, dst.data(), dc, 2, r, width); });
      std::vector<double> wd(r * dc, -7.0);
      for (int i = 0; i < r; i++)
        for (int j = 0; j < width; j++) wd[i * dc + 2 + j] = x[i * c + 1 + j];
      check(dst, wd, 0, "copy_columns");
    }
    std::vector<uint8_t> keep(r);
    for (int i = 0; i < r; i++) keep[i] = (i % 3) != 1;
    std::vector<float> out(x.size());
    emu_launch(2, 32, [&] { select_rows(keep.data(), x.data(), dy.data(), out.data(), r, c); });
    for (int i = 0; i < r; i++)
      for (int j = 0; j < c; j++) w[i * c + j] = keep[i] ? x[i * c + j] : dy[i * c + j];
    check(out, w, 0, "select_rows");
  }
}

// Positions grouped by key as Groups.java does it (stable sort by key).
struct Grouped { std::vector<int> order, starts, keys; };
static Grouped group(const std::vector<int>& k) {
  Grouped g;
  std::vector<std::pair<int, int>> p;
  for (int i = 0; i < (int)k.size(); i++) p.push_back({k[i], i});
  std::sort(p.begin(), p.end());
  for (int q = 0; q < (int)p.size(); q++) {
    if (q == 0 || p[q].first != g.keys.back()) {
      g.keys.push_back(p[q].first);
      g.starts.push_back(q);
    }
    g.order.push_back(p[q].second);
  }
  g.starts.push_back((int)p.size());
  return g;
}

static void embeddings() {
  int rows = 13;
  for (int dim : {1, 7, 8, 33}) {
    for (int n : {0, 1, 9, 40}) {
      std::vector<int> ids(n);
      for (auto& i : ids) i = (int)(rng() % rows);
      auto table = gauss(rows * dim), d = gauss((size_t)n * dim);
      std::vector<float> out((size_t)n * dim);
      emu_launch(3, 32, [&] { gather_rows(table.data(), dim, ids.data(), n, out.data()); });
      std::vector<double> w((size_t)n * dim);
      for (int i = 0; i < n; i++)
        for (int j = 0; j < dim; j++) w[i * dim + j] = table[ids[i] * dim + j];
      check(out, w, 0, "gather_rows");
      Grouped g = group(ids);
      auto t2 = table;
      emu_launch(2, 32, [&] {
        scatter_add_rows(d.data(), dim, g.order.data(), g.starts.data(), g.keys.data(),
                         (int)g.keys.size(), t2.data());
      });
      std::vector<double> wt(table.begin(), table.end());
      for (int i = 0; i < n; i++)
        for (int j = 0; j < dim; j++) wt[ids[i] * dim + j] += d[i * dim + j];
      check(t2, wt, 1e-5, "scatter_add_rows dim " + std::to_string(dim) + " n " +
                              std::to_string(n));
      // bags: sizes 3, 0, n - 3 (or one bag)
      std::vector<int> off = n >= 3 ? std::vector<int>{0, 3, 3, n} : std::vector<int>{0, n};
      int bags = (int)off.size() - 1;
      std::vector<float> bm((size_t)bags * dim, NAN);
      emu_launch(2, 32, [&] {
        bag_mean_fwd(table.data(), dim, ids.data(), off.data(), bags, bm.data());
      });
      std::vector<double> wb((size_t)bags * dim, 0);
      for (int b = 0; b < bags; b++)
        for (int q = off[b]; q < off[b + 1]; q++)
          for (int j = 0; j < dim; j++)
            wb[b * dim + j] += (double)table[ids[q] * dim + j] / (off[b + 1] - off[b]);
      check(bm, wb, 1e-6, "bag_mean_fwd");
      std::vector<int> bagOf(n);
      for (int b = 0; b < bags; b++)
        for (int q = off[b]; q < off[b + 1]; q++) bagOf[q] = b;
      auto dOut = gauss((size_t)bags * dim);
      auto dRows = gauss(6 * dim);
      std::vector<int> slots(n);
      for (auto& s : slots) s = (int)(rng() % 6);
      Grouped gs = group(slots);
      std::vector<double> wr(dRows.begin(), dRows.end());
      for (int b = 0; b < bags; b++)
        for (int q = off[b]; q < off[b + 1]; q++)
          for (int j = 0; j < dim; j++)
            wr[slots[q] * dim + j] += (double)dOut[b * dim + j] / (off[b + 1] - off[b]);
      std::vector<int> bagAt(n), sizeAt(n);  // what CudaOps resolves on the host
      for (int q = 0; q < n; q++) {
        bagAt[q] = bagOf[gs.order[q]];
        sizeAt[q] = off[bagAt[q] + 1] - off[bagAt[q]];
      }
      emu_launch(3, 32, [&] {
        bag_mean_bwd(dOut.data(), dim, bagAt.data(), sizeAt.data(), gs.starts.data(),
                     gs.keys.data(), (int)gs.keys.size(), dRows.data());
      });
      check(dRows, wr, 1e-5, "bag_mean_bwd");
      // sparse Adam and Adagrad with a repeated id: sequential semantics
      auto m = gauss(rows * dim), v = gauss(rows * dim), acc = gauss(rows * dim);
      for (auto& x : v) x = std::fabs(x) + 0.01f;
      for (auto& x : acc) x = std::fabs(x) + 0.01f;
      auto ta = table, ma = m, va = v, tg = table, ag = acc;
      double c1 = 1 - std::pow(0.9, 11), c2 = 1 - std::pow(0.999, 11);
      emu_launch(2, 32, [&] {
        sparse_adam(ta.data(), dim, d.data(), g.order.data(), g.starts.data(), g.keys.data(),
                    (int)g.keys.size(), ma.data(), va.data(), 0.01f, 0.9f, 0.999f, 1e-8f, c1, c2);
      });
      emu_launch(2, 32, [&] {
        sparse_adagrad(tg.data(), dim, d.data(), g.order.data(), g.starts.data(), g.keys.data(),
                       (int)g.keys.size(), ag.data(), 0.05f, 1e-8f);
      });
      std::vector<double> wt2(table.begin(), table.end()), wm(m.begin(), m.end()),
          wv(v.begin(), v.end()), wt3(table.begin(), table.end()), wa(acc.begin(), acc.end());
      for (int i = 0; i < n; i++)
        for (int j = 0; j < dim; j++) {
          int t = ids[i] * dim + j;
          double gi = d[i * dim + j];
          wm[t] = 0.9 * wm[t] + 0.1 * gi;
          wv[t] = 0.999 * wv[t] + 0.001 * gi * gi;
          wt2[t] -= 0.01 * (wm[t] / c1) / (std::sqrt(wv[t] / c2) + 1e-8);
          wa[t] += gi * gi;
          wt3[t] -= 0.05 * gi / (std::sqrt(wa[t]) + 1e-8);
        }
      check(ta, wt2, 1e-5, "sparse_adam table");
      check(ma, wm, 1e-5, "sparse_adam m");
      check(va, wv, 1e-5, "sparse_adam v");
      check(tg, wt3, 1e-5, "sparse_adagrad table");
      check(ag, wa, 1e-5, "sparse_adagrad acc");
    }
  }
}

static void conv() {
  int shapes[][6] = {{1, 1, 1, 1, 1, 0}, {2, 5, 3, 3, 3, 1}, {1, 4, 6, 2, 5, 2}, {2, 6, 4, 3, 3, 1},
                     {2, 5, 4, 8, 3, 1}};
  for (auto& s : shapes) {
    int n = s[0], h = s[1], w = s[2], c = s[3], k = s[4], pad = s[5];
    int patch = k * k * c;
    auto x = gauss((size_t)n * h * w * c);
    std::vector<float> cols((size_t)n * h * w * patch, NAN);
    emu_launch(3, 32, [&] { im2col(x.data(), n, h, w, c, k, pad, cols.data()); });
    std::vector<double> wc(cols.size());
    std::vector<double> dx(x.size(), 0);
    auto dcols = gauss(cols.size());
    for (int img = 0; img < n; img++)
      for (int y = 0; y < h; y++)
        for (int xx = 0; xx < w; xx++)
          for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++)
              for (int ch = 0; ch < c; ch++) {
                int sy = y + ky - pad, sx = xx + kx - pad;
                bool in = sy >= 0 && sy < h && sx >= 0 && sx < w;
                size_t dst = (((size_t)(img * h + y) * w + xx) * patch) + (ky * k + kx) * c + ch;
                size_t src = ((size_t)(img * h + sy) * w + sx) * c + ch;
                wc[dst] = in ? x[src] : 0;
                if (in) dx[src] += dcols[dst];
              }
    check(cols, wc, 0, "im2col");
    std::vector<float> gx(x.size(), NAN);
    emu_launch(2, 64, [&] { col2im(dcols.data(), n, h, w, c, k, pad, gx.data()); });
    check(gx, dx, 1e-5, "col2im");
  }
  int pools[][4] = {{1, 2, 2, 1}, {2, 6, 4, 3}, {1, 5, 7, 2}, {3, 4, 4, 5}, {2, 4, 6, 8}};
  for (auto& s : pools) {
    int n = s[0], h = s[1], w = s[2], c = s[3], oh = h / 2, ow = w / 2;
    auto x = gauss((size_t)n * h * w * c);
    size_t out = (size_t)n * oh * ow * c;
    std::vector<float> y(out, NAN);
    std::vector<int> am(out, -5);
    emu_launch(3, 32, [&] { maxpool2_fwd(x.data(), n, h, w, c, y.data(), am.data()); });
    std::vector<double> wy(out);
    std::vector<float> amf(out), wamf(out);
    for (int img = 0; img < n; img++)
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int ch = 0; ch < c; ch++) {
            int best = -1;
            double bv = -INFINITY;
            for (int dy = 0; dy < 2; dy++)
              for (int dxx = 0; dxx < 2; dxx++) {
                int src = ((img * h + 2 * oy + dy) * w + 2 * ox + dxx) * c + ch;
                if (x[src] > bv) { bv = x[src]; best = src; }
              }
            size_t e = ((size_t)(img * oh + oy) * ow + ox) * c + ch;
            wy[e] = bv;
            wamf[e] = (float)best;
            amf[e] = (float)am[e];
          }
    check(y, wy, 0, "maxpool2_fwd");
    check(amf, std::vector<double>(wamf.begin(), wamf.end()), 0, "maxpool2_fwd argmax");
    auto dy = gauss(out);
    std::vector<float> dx(x.size(), 0.f);
    emu_launch(2, 32, [&] { maxpool2_bwd(dy.data(), am.data(), (int)out, dx.data()); });
    std::vector<double> wdx(x.size(), 0);
    for (size_t i = 0; i < out; i++) wdx[am[i]] += dy[i];
    check(dx, wdx, 0, "maxpool2_bwd");
  }
}

static void optimizers_and_lstm() {
  int n = 1027;
  auto p = gauss(n), g = gauss(n), m = gauss(n), v = gauss(n), vel = gauss(n);
  for (auto& x : v) x = std::fabs(x) + 0.01f;
  std::vector<double> wp(p.begin(), p.end()), wm(m.begin(), m.end()), wv(v.begin(), v.end()),
      wvel(vel.begin(), vel.end());
  for (int t = 1; t <= 3; t++) {
    double c1 = 1 - std::pow(0.9, t), c2 = 1 - std::pow(0.999, t);
    emu_launch(3, 64, [&] { sgd_momentum(p.data(), g.data(), vel.data(), n, 0.1f, 0.9f); });
    emu_launch(3, 64, [&] {
      adam(p.data(), g.data(), m.data(), v.data(), n, 0.01f, 0.9f, 0.999f, 1e-8f, c1, c2);
    });
    for (int i = 0; i < n; i++) {
      wvel[i] = 0.9 * wvel[i] + g[i];
      wp[i] -= 0.1 * wvel[i];
      wm[i] = 0.9 * wm[i] + 0.1 * g[i];
      wv[i] = 0.999 * wv[i] + 0.001 * (double)g[i] * g[i];
      wp[i] -= 0.01 * (wm[i] / c1) / (std::sqrt(wv[i] / c2) + 1e-8);
    }
  }
  check(p, wp, 1e-5, "sgd_momentum + adam p");
  check(m, wm, 1e-5, "adam m");
  check(v, wv, 1e-5, "adam v");
  int rows = 5, hid = 33;
  auto gates = gauss(rows * 4 * hid, 1.5), cp = gauss(rows * hid), dh = gauss(rows * hid),
       dc = gauss(rows * hid);
  auto pre = gates;
  std::vector<float> c(rows * hid), hh(rows * hid), dg(gates.size()), dcp(rows * hid);
  emu_launch(2, 32, [&] { lstm_cell_fwd(gates.data(), cp.data(), c.data(), hh.data(), rows, hid); });
  emu_launch(2, 32, [&] {
    lstm_cell_bwd(gates.data(), cp.data(), c.data(), dh.data(), dc.data(), dg.data(), dcp.data(),
                  rows, hid);
  });
  std::vector<double> wc(c.size()), wh(c.size()), wdg(dg.size()), wdcp(c.size());
  auto sig = [](double x) { return 1 / (1 + std::exp(-x)); };
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < hid; j++) {
      int e = r * hid + j, b = r * 4 * hid;
      double i = sig(pre[b + j]), f = sig(pre[b + hid + j]), gg = std::tanh(pre[b + 2 * hid + j]),
             o = sig(pre[b + 3 * hid + j]);
      double cv = f * cp[e] + i * gg, tc = std::tanh(cv);
      wc[e] = cv;
      wh[e] = o * tc;
      double dC = dh[e] * o * (1 - tc * tc) + dc[e];
      wdg[b + j] = dC * gg * i * (1 - i);
      wdg[b + hid + j] = dC * cp[e] * f * (1 - f);
      wdg[b + 2 * hid + j] = dC * i * (1 - gg * gg);
      wdg[b + 3 * hid + j] = dh[e] * tc * o * (1 - o);
      wdcp[e] = dC * f;
    }
  check(c, wc, 1e-5, "lstm c");
  check(hh, wh, 1e-5, "lstm h");
  check(dg, wdg, 1e-5, "lstm dGates");
  check(dcp, wdcp, 1e-5, "lstm dcPrev");
}

// The block reductions, with each block's threads running concurrently (shim.h).
static void losses() {
  int grids[][2] = {{0, 4}, {1, 1}, {1, 7}, {5, 3}, {9, 33}, {2, 100}, {2, 200}, {3, 300},
                    {4, 1025}};
  for (auto& g : grids) {
    int rows = g[0], cols = g[1];
    for (int variant = 0; variant < 4; variant++) {
      bool masked = variant & 1, alias = variant & 2;
      auto logits = gauss((size_t)rows * cols, 20);
      std::vector<int> targets(rows);
      for (auto& t : targets) t = (int)(rng() % cols);
      std::vector<uint8_t> allowed((size_t)rows * cols, 1);
      if (masked) {
        for (auto& a : allowed) a = rng() % 3 > 0;
        for (int r = 0; r < rows; r++) allowed[(size_t)r * cols + targets[r]] = 1;
      }
      std::vector<double> wd((size_t)rows * cols), wl(rows);
      for (int r = 0; r < rows; r++) {
        double m = -INFINITY, s = 0;
        for (int j = 0; j < cols; j++) if (allowed[r * cols + j]) m = std::max(m, (double)logits[r * cols + j]);
        for (int j = 0; j < cols; j++) if (allowed[r * cols + j]) s += std::exp(logits[r * cols + j] - m);
        wl[r] = std::log(s) + m - logits[r * cols + targets[r]];
        for (int j = 0; j < cols; j++) {
          double p = allowed[r * cols + j] ? std::exp(logits[r * cols + j] - m) / s : 0;
          wd[r * cols + j] = 0.5 * (p - (j == targets[r] ? 1 : 0));
        }
      }
      std::vector<float> d = alias ? logits : std::vector<float>((size_t)rows * cols, NAN);
      float* dp = alias ? logits.data() : d.data();
      std::vector<double> loss(rows, NAN);
      // two blocks of two warps: four warps stride over the rows, one row each at a time
      emu_launch_threads(std::min(rows, 2), 64, [&] {
        softmax_xent(logits.data(), masked ? allowed.data() : nullptr, targets.data(), rows,
                     cols, 0.5f, dp, loss.data());
      });
      std::string what = "softmax_xent " + std::to_string(rows) + "x" + std::to_string(cols)
          + (masked ? " masked" : "") + (alias ? " aliased" : "");
      check(alias ? logits : d, wd, 1e-6, what + " dLogits");
      std::vector<float> lf(loss.begin(), loss.end());
      check(lf, wl, 1e-6, what + " loss");
    }
  }
  for (int n : {0, 1, 7, 33, 1027, 5000}) {
    auto p = gauss(n), t = gauss(n);
    std::vector<float> d(n, NAN);
    unsigned blocks = 3;
    std::vector<double> partial(blocks, NAN);
    emu_launch_threads(blocks, 64, [&] {
      squared_error(p.data(), t.data(), d.data(), n, 0.1f, partial.data());
    });
    double total = 0, want = 0;
    for (double x : partial) total += x;
    std::vector<double> wd(n);
    for (int i = 0; i < n; i++) {
      double e = (double)p[i] - t[i];
      want += e * e;
      wd[i] = 0.2 * e;
    }
    check(d, wd, 1e-6, "squared_error dPred " + std::to_string(n));
    check(std::vector<float>{(float)total}, {want}, 1e-6, "squared_error sum " + std::to_string(n));
  }
}

int main() {
  losses();
  elementwise();
  unaligned();
  rows();
  embeddings();
  conv();
  optimizers_and_lstm();
  if (failures) {
    std::printf("[cuda-emulate] %d check(s) FAILED\n", failures);
    return 1;
  }
  std::printf("[cuda-emulate] all 26 kernels matched their direct loops on the CPU (the block "
              "reductions with concurrent threads per block)\n");
  return 0;
}
