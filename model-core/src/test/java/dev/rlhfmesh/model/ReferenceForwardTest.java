package dev.rlhfmesh.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.gpt.Gpt;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The DJL model against a plain-Java GPT-2 forward pass written from the paper / transformers'
 * modeling_gpt2 (Conv1D weights (in, out), pre-LN, gelu_new with tanh, tied head).
 */
class ReferenceForwardTest {
  private static final GptConfig C = new GptConfig(13, 8, 8, 2, 2, 16, 1e-5f, "gelu_new", -1, -1);

  @Test
  void djlForward_matchesPlainJavaReference() {
    int[] ids = {3, 0, 12, 7, 7, 1};
    try (NDManager root = NDManager.newBaseManager();
        Gpt model = Gpt.init(root, C, 41);
        NDManager m = root.newSubManager()) {
      // random values everywhere (init leaves biases at 0 and LayerNorm weights at 1)
      java.util.Random r = new java.util.Random(5);
      Map<String, ai.djl.ndarray.NDArray> random = new java.util.LinkedHashMap<>();
      model
          .parameters()
          .forEach(
              (k, v) -> {
                float[] f = new float[(int) v.size()];
                for (int i = 0; i < f.length; i++) {
                  f[i] =
                      (float)
                          (r.nextGaussian() * 0.3
                              + (k.contains("ln_") && k.endsWith("weight") ? 1 : 0));
                }
                random.put(k, m.create(f, v.getShape()));
              });
      model.loadStateDict(random);
      Map<String, float[]> w = new java.util.HashMap<>();
      model.parameters().forEach((k, v) -> w.put(k, v.toFloatArray()));
      float[] expected = reference(w, ids);
      float[] actual = model.forward(TinyModels.ids(m, ids), null).toFloatArray();
      float d = TinyModels.maxAbsDiff(expected, actual);
      assertTrue(d < 1e-5, "max diff " + d);
    }
  }

  static float[] reference(Map<String, float[]> w, int[] ids) {
    int t = ids.length;
    int c = C.nEmbd();
    double[][] x = new double[t][c];
    for (int i = 0; i < t; i++) {
      for (int j = 0; j < c; j++) {
        x[i][j] = w.get("wte.weight")[ids[i] * c + j] + w.get("wpe.weight")[i * c + j];
      }
    }
    int h = C.nHead();
    int d = c / h;
    for (int l = 0; l < C.nLayer(); l++) {
      String p = "h." + l + ".";
      double[][] a = layerNorm(x, w.get(p + "ln_1.weight"), w.get(p + "ln_1.bias"));
      double[][] qkv = conv1d(a, w.get(p + "attn.c_attn.weight"), w.get(p + "attn.c_attn.bias"));
      double[][] y = new double[t][c];
      for (int head = 0; head < h; head++) {
        for (int i = 0; i < t; i++) {
          double[] s = new double[i + 1];
          double max = -1e300;
          for (int j = 0; j <= i; j++) {
            double dot = 0;
            for (int k = 0; k < d; k++) {
              dot += qkv[i][head * d + k] * qkv[j][c + head * d + k];
            }
            s[j] = dot / Math.sqrt(d);
            max = Math.max(max, s[j]);
          }
          double z = 0;
          for (int j = 0; j <= i; j++) {
            s[j] = Math.exp(s[j] - max);
            z += s[j];
          }
          for (int j = 0; j <= i; j++) {
            for (int k = 0; k < d; k++) {
              y[i][head * d + k] += s[j] / z * qkv[j][2 * c + head * d + k];
            }
          }
        }
      }
      double[][] o = conv1d(y, w.get(p + "attn.c_proj.weight"), w.get(p + "attn.c_proj.bias"));
      add(x, o);
      double[][] b = layerNorm(x, w.get(p + "ln_2.weight"), w.get(p + "ln_2.bias"));
      double[][] f = conv1d(b, w.get(p + "mlp.c_fc.weight"), w.get(p + "mlp.c_fc.bias"));
      for (double[] row : f) {
        for (int j = 0; j < row.length; j++) {
          double v = row[j];
          row[j] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
        }
      }
      add(x, conv1d(f, w.get(p + "mlp.c_proj.weight"), w.get(p + "mlp.c_proj.bias")));
    }
    double[][] fin = layerNorm(x, w.get("ln_f.weight"), w.get("ln_f.bias"));
    int v = C.vocabSize();
    float[] logits = new float[t * v];
    for (int i = 0; i < t; i++) {
      for (int tok = 0; tok < v; tok++) {
        double s = 0;
        for (int j = 0; j < c; j++) {
          s += fin[i][j] * w.get("wte.weight")[tok * c + j];
        }
        logits[i * v + tok] = (float) s;
      }
    }
    return logits;
  }

  private static void add(double[][] x, double[][] y) {
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[i].length; j++) {
        x[i][j] += y[i][j];
      }
    }
  }

  private static double[][] conv1d(double[][] x, float[] weight, float[] bias) {
    int in = x[0].length;
    int out = bias.length;
    double[][] y = new double[x.length][out];
    for (int i = 0; i < x.length; i++) {
      for (int o = 0; o < out; o++) {
        double s = bias[o];
        for (int k = 0; k < in; k++) {
          s += x[i][k] * weight[k * out + o]; // (in, out) layout
        }
        y[i][o] = s;
      }
    }
    return y;
  }

  private static double[][] layerNorm(double[][] x, float[] g, float[] b) {
    double[][] y = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      double mean = 0;
      for (double v : x[i]) {
        mean += v;
      }
      mean /= x[i].length;
      double var = 0;
      for (double v : x[i]) {
        var += (v - mean) * (v - mean);
      }
      var /= x[i].length;
      y[i] = new double[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        y[i][j] = (x[i][j] - mean) / Math.sqrt(var + 1e-5) * g[j] + b[j];
      }
    }
    return y;
  }
}
