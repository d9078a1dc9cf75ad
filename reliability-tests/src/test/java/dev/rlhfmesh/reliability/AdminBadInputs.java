package dev.rlhfmesh.reliability;

import static dev.rlhfmesh.reliability.GrpcBadInputs.*;
import static io.grpc.Status.Code.FAILED_PRECONDITION;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static io.grpc.Status.Code.NOT_FOUND;
import static io.grpc.Status.Code.RESOURCE_EXHAUSTED;

import com.google.protobuf.ByteString;
import dev.rlhfmesh.proto.admin.v1.AbortUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.CommitUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.GetWeightVersionRequest;
import dev.rlhfmesh.proto.admin.v1.LoadFromDirectoryRequest;
import dev.rlhfmesh.proto.admin.v1.WeightChunk;
import dev.rlhfmesh.proto.common.v1.DType;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import dev.rlhfmesh.reliability.GrpcBadInputs.Row;
import dev.rlhfmesh.reliability.GrpcBadInputs.Target;
import java.util.List;
import java.util.function.Function;

/**
 * Bad-input rows of the weight admin protocol on model-svc and reward-svc (see {@link
 * GrpcBadInputs}).
 */
final class AdminBadInputs {
  private AdminBadInputs() {}

  static void admin(List<Row> r, Mesh mesh) {
    Target t;
    String token = mesh.adminToken;
    for (Target a : new Target[] {Target.MODEL_ADMIN, Target.REWARD_ADMIN}) {
      String m = a == Target.MODEL_ADMIN ? "policy" : "learned";
      Function<
              Stubs,
              dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc.WeightAdminServiceBlockingStub>
          admin = s -> a == Target.MODEL_ADMIN ? s.modelAdmin(token) : s.rewardAdmin(token);
      Function<Stubs, io.grpc.Channel> ch =
          s -> a == Target.MODEL_ADMIN ? s.modelAdminChannel() : s.rewardAdminChannel();
      TensorSpec wte =
          spec(
              "wte.weight",
              DType.D_TYPE_FLOAT32,
              4L * Mesh.VOCAB * Mesh.N_EMBD,
              Mesh.VOCAB,
              Mesh.N_EMBD);
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "unknown model",
              NOT_FOUND,
              s -> admin.apply(s).beginUpdate(begin("nope", 1_000_000, wte))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "no model name",
              INVALID_ARGUMENT,
              s -> admin.apply(s).beginUpdate(begin("", 1_000_000, wte))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "empty manifest",
              INVALID_ARGUMENT,
              s -> admin.apply(s).beginUpdate(begin(m, 1_000_000))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "version that does not move forward",
              FAILED_PRECONDITION,
              s -> admin.apply(s).beginUpdate(begin(m, -1, wte))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "negative shape",
              INVALID_ARGUMENT,
              s ->
                  admin
                      .apply(s)
                      .beginUpdate(
                          begin(
                              m,
                              1_000_000,
                              spec("wte.weight", DType.D_TYPE_FLOAT32, 16, -4, -1)))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "byte_size disagrees with shape",
              INVALID_ARGUMENT,
              s ->
                  admin
                      .apply(s)
                      .beginUpdate(
                          begin(
                              m,
                              1_000_000,
                              spec(
                                  "wte.weight",
                                  DType.D_TYPE_FLOAT32,
                                  7,
                                  Mesh.VOCAB,
                                  Mesh.N_EMBD)))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "integer dtype",
              INVALID_ARGUMENT,
              s ->
                  admin
                      .apply(s)
                      .beginUpdate(
                          begin(
                              m,
                              1_000_000,
                              spec(
                                  "wte.weight",
                                  DType.D_TYPE_INT64,
                                  8L * Mesh.VOCAB * Mesh.N_EMBD,
                                  Mesh.VOCAB,
                                  Mesh.N_EMBD)))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "tensor named twice",
              INVALID_ARGUMENT,
              s -> admin.apply(s).beginUpdate(begin(m, 1_000_000, wte, wte))));
      r.add(
          new Row(
              a,
              "UploadChunks",
              "unknown update id",
              NOT_FOUND,
              s ->
                  Stubs.upload(
                      ch.apply(s),
                      token,
                      List.of(
                          WeightChunk.newBuilder()
                              .setUpdateId("no-such-update")
                              .setTensorName("wte.weight")
                              .setData(ByteString.copyFrom(new byte[16]))
                              .build()))));
      r.add(
          new Row(
              a,
              "UploadChunks",
              "chunk over 64 MiB",
              RESOURCE_EXHAUSTED,
              s ->
                  Stubs.upload(
                      ch.apply(s),
                      token,
                      List.of(
                          WeightChunk.newBuilder()
                              .setUpdateId("x")
                              .setTensorName("wte.weight")
                              .setData(ByteString.copyFrom(new byte[OVER_SERVICE_LIMIT]))
                              .build()))));
      r.add(
          new Row(
              a,
              "CommitUpdate",
              "unknown update id",
              NOT_FOUND,
              s ->
                  admin
                      .apply(s)
                      .commitUpdate(
                          CommitUpdateRequest.newBuilder().setUpdateId("no-such-update").build())));
      r.add(
          new Row(
              a,
              "AbortUpdate",
              "unknown update id",
              NOT_FOUND,
              s ->
                  admin
                      .apply(s)
                      .abortUpdate(
                          AbortUpdateRequest.newBuilder().setUpdateId("no-such-update").build())));
      r.add(
          new Row(
              a,
              "GetWeightVersion",
              "unknown model",
              NOT_FOUND,
              s ->
                  admin
                      .apply(s)
                      .getWeightVersion(
                          GetWeightVersionRequest.newBuilder().setModel("nope").build())));
      r.add(
          new Row(
              a,
              "LoadFromDirectory",
              "missing directory",
              INVALID_ARGUMENT,
              s ->
                  admin
                      .apply(s)
                      .loadFromDirectory(
                          LoadFromDirectoryRequest.newBuilder()
                              .setModel(m)
                              .setDirectory("/nonexistent/model")
                              .setVersion(1_000_000)
                              .build())));
      r.add(
          new Row(
              a,
              "LoadFromDirectory",
              "unknown model",
              NOT_FOUND,
              s ->
                  admin
                      .apply(s)
                      .loadFromDirectory(
                          LoadFromDirectoryRequest.newBuilder()
                              .setModel("nope")
                              .setDirectory("/nonexistent/model")
                              .setVersion(1_000_000)
                              .build())));
    }
  }
}
