// For every block-quantized tensor of a GGUF file: ggml's own to_float (libggml-base) -> OUT.f32,
// and a manifest line "name type absolute_offset elements" -> stdout.
#include <stdio.h>
#include <stdlib.h>
#include "ggml.h"
#include "gguf.h"

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: ggmldump FILE.gguf OUT.f32\n"); return 2; }
    struct gguf_init_params params = { .no_alloc = true, .ctx = NULL };
    struct gguf_context *ctx = gguf_init_from_file(argv[1], params);
    if (!ctx) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
    FILE *in = fopen(argv[1], "rb");
    FILE *out = fopen(argv[2], "wb");
    size_t data = gguf_get_data_offset(ctx);
    for (int64_t t = 0; t < gguf_get_n_tensors(ctx); t++) {
        enum ggml_type type = gguf_get_tensor_type(ctx, t);
        if (ggml_blck_size(type) == 1) continue;
        size_t bytes = gguf_get_tensor_size(ctx, t);
        int64_t n = (int64_t) (bytes / ggml_type_size(type)) * ggml_blck_size(type);
        size_t at = data + gguf_get_tensor_offset(ctx, t);
        void *raw = malloc(bytes);
        float *f = malloc(n * sizeof(float));
        fseek(in, (long) at, SEEK_SET);
        if (fread(raw, 1, bytes, in) != bytes) { fprintf(stderr, "short read\n"); return 1; }
        ggml_get_type_traits(type)->to_float(raw, f, n);
        fwrite(f, sizeof(float), n, out);
        printf("%s %s %zu %lld\n", gguf_get_tensor_name(ctx, t), ggml_type_name(type), at, (long long) n);
        free(raw); free(f);
    }
    fclose(out); fclose(in);
    return 0;
}
