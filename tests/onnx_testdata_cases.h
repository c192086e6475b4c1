// Part (b) of tests/onnx_import_test.cc: the ONNX backend node tests of Debian's
// libonnx-testdata, run end to end. Included once, at the end of that file.
//
// kSupportedCases: imported, compiled, run (scalar ISA, one thread) and compared with the
// expected outputs within |got - want| <= 1e-6 + 1e-5 * |want|.
// kUnsupportedCases: the import must fail with a message containing `why`.
#pragma once

namespace mint {
namespace {

struct TestdataCase {
  const char* dir;
  int runtime_inputs;  // leading graph inputs fed at run time; the rest bound as constants; -1: all
};

const TestdataCase kSupportedCases[] = {
    {"test_relu", -1}, {"test_tanh", -1}, {"test_tanh_example", -1}, {"test_sigmoid", -1},
    {"test_sigmoid_example", -1}, {"test_leakyrelu", -1}, {"test_leakyrelu_default", -1},
    {"test_leakyrelu_example", -1},
    {"test_softmax_axis_0", -1}, {"test_softmax_axis_1", -1}, {"test_softmax_axis_2", -1},
    {"test_softmax_default_axis", -1}, {"test_softmax_example", -1},
    {"test_softmax_large_number", -1}, {"test_softmax_negative_axis", -1},
    {"test_basic_conv_with_padding", 1}, {"test_basic_conv_without_padding", 1},
    {"test_conv_with_strides_padding", 1}, {"test_conv_with_strides_no_padding", 1},
    {"test_conv_with_strides_and_asymmetric_padding", 1}, {"test_conv_with_autopad_same", 1},
    {"test_convtranspose", 1}, {"test_convtranspose_dilations", 1}, {"test_convtranspose_pad", 1},
    {"test_convtranspose_pads", 1},
    {"test_gemm_all_attributes", 1}, {"test_gemm_alpha", 1}, {"test_gemm_beta", 1},
    {"test_gemm_default_matrix_bias", 1}, {"test_gemm_default_no_bias", 1},
    {"test_gemm_default_scalar_bias", 1}, {"test_gemm_default_single_elem_vector_bias", 1},
    {"test_gemm_default_vector_bias", 1}, {"test_gemm_default_zero_bias", 1},
    {"test_gemm_transposeA", 1}, {"test_gemm_transposeB", 1},
    {"test_matmul_2d", -1}, {"test_matmul_3d", -1}, {"test_matmul_4d", -1},
    {"test_add", -1}, {"test_add_bcast", -1}, {"test_mul", -1}, {"test_mul_bcast", -1},
    {"test_mul_example", -1},
    {"test_transpose_all_permutations_0", -1}, {"test_transpose_all_permutations_1", -1},
    {"test_transpose_all_permutations_2", -1}, {"test_transpose_all_permutations_3", -1},
    {"test_transpose_all_permutations_4", -1}, {"test_transpose_all_permutations_5", -1},
    {"test_transpose_default", -1},
    {"test_concat_1d_axis_0", -1}, {"test_concat_1d_axis_negative_1", -1},
    {"test_concat_2d_axis_0", -1}, {"test_concat_2d_axis_1", -1},
    {"test_concat_2d_axis_negative_1", -1}, {"test_concat_2d_axis_negative_2", -1},
    {"test_concat_3d_axis_0", -1}, {"test_concat_3d_axis_1", -1}, {"test_concat_3d_axis_2", -1},
    {"test_concat_3d_axis_negative_1", -1}, {"test_concat_3d_axis_negative_2", -1},
    {"test_concat_3d_axis_negative_3", -1},
    {"test_reshape_extended_dims", 1}, {"test_reshape_negative_dim", 1},
    {"test_reshape_negative_extended_dims", 1}, {"test_reshape_one_dim", 1},
    {"test_reshape_reduced_dims", 1}, {"test_reshape_reordered_all_dims", 1},
    {"test_reshape_reordered_last_dims", 1}, {"test_reshape_zero_and_negative_dim", 1},
    {"test_reshape_zero_dim", 1},
    {"test_flatten_axis0", -1}, {"test_flatten_axis1", -1}, {"test_flatten_axis2", -1},
    {"test_flatten_axis3", -1}, {"test_flatten_default_axis", -1},
    {"test_flatten_negative_axis1", -1}, {"test_flatten_negative_axis2", -1},
    {"test_flatten_negative_axis3", -1}, {"test_flatten_negative_axis4", -1},
    {"test_batchnorm_epsilon", 1}, {"test_batchnorm_example", 1},
    {"test_identity", -1}, {"test_dropout_default", -1}, {"test_dropout_default_ratio", 1},
    {"test_dropout_default_old", -1},
    {"test_constant", -1},
    // onnx-ops branch: image and third-party model ops, opsets 9-17
    {"test_abs", -1}, {"test_averagepool_2d_ceil", -1}, {"test_averagepool_2d_default", -1},
    {"test_averagepool_2d_pads", -1}, {"test_averagepool_2d_pads_count_include_pad", -1},
    {"test_averagepool_2d_precomputed_pads", -1},
    {"test_averagepool_2d_precomputed_pads_count_include_pad", -1},
    {"test_averagepool_2d_precomputed_same_upper", -1},
    {"test_averagepool_2d_precomputed_strides", -1}, {"test_averagepool_2d_same_lower", -1},
    {"test_averagepool_2d_same_upper", -1}, {"test_averagepool_2d_strides", -1}, {"test_clip", 1},
    {"test_clip_default_inbounds", -1}, {"test_clip_default_max", 1}, {"test_clip_default_min", 1},
    {"test_clip_example", 1}, {"test_clip_inbounds", 1}, {"test_clip_outbounds", 1},
    {"test_clip_splitbounds", 1}, {"test_constant_pad", 1}, {"test_div", -1},
    {"test_div_bcast", -1}, {"test_div_example", -1}, {"test_exp", -1}, {"test_exp_example", -1},
    {"test_hardswish", -1}, {"test_hardswish_expanded", -1},
    {"test_layer_normalization_2d_axis0_expanded", -1},
    {"test_layer_normalization_2d_axis1_expanded", -1},
    {"test_layer_normalization_2d_axis_negative_1_expanded", -1},
    {"test_layer_normalization_2d_axis_negative_2_expanded", -1},
    {"test_layer_normalization_3d_axis0_epsilon_expanded", -1},
    {"test_layer_normalization_3d_axis1_epsilon_expanded", -1},
    {"test_layer_normalization_3d_axis2_epsilon_expanded", -1},
    {"test_layer_normalization_3d_axis_negative_1_epsilon_expanded", -1},
    {"test_layer_normalization_3d_axis_negative_2_epsilon_expanded", -1},
    {"test_layer_normalization_3d_axis_negative_3_epsilon_expanded", -1},
    {"test_layer_normalization_4d_axis0_expanded", -1},
    {"test_layer_normalization_4d_axis1_expanded", -1},
    {"test_layer_normalization_4d_axis2_expanded", -1},
    {"test_layer_normalization_4d_axis3_expanded", -1},
    {"test_layer_normalization_4d_axis_negative_1_expanded", -1},
    {"test_layer_normalization_4d_axis_negative_2_expanded", -1},
    {"test_layer_normalization_4d_axis_negative_3_expanded", -1},
    {"test_layer_normalization_4d_axis_negative_4_expanded", -1},
    {"test_layer_normalization_default_axis_expanded", -1}, {"test_max_example", -1},
    {"test_max_float32", -1}, {"test_max_one_input", -1}, {"test_max_two_inputs", -1},
    {"test_maxpool_2d_ceil", -1}, {"test_maxpool_2d_default", -1},
    {"test_maxpool_2d_dilations", -1}, {"test_maxpool_2d_pads", -1},
    {"test_maxpool_2d_precomputed_pads", -1}, {"test_maxpool_2d_precomputed_same_upper", -1},
    {"test_maxpool_2d_precomputed_strides", -1}, {"test_maxpool_2d_same_lower", -1},
    {"test_maxpool_2d_same_upper", -1}, {"test_maxpool_2d_strides", -1}, {"test_min_example", -1},
    {"test_min_float32", -1}, {"test_min_one_input", -1}, {"test_min_two_inputs", -1},
    {"test_neg", -1}, {"test_neg_example", -1}, {"test_pow", -1}, {"test_pow_bcast_array", -1},
    {"test_pow_bcast_scalar", -1}, {"test_pow_example", -1}, {"test_reciprocal", -1},
    {"test_reciprocal_example", -1}, {"test_reduce_mean_default_axes_keepdims_example", -1},
    {"test_reduce_mean_default_axes_keepdims_random", -1},
    {"test_reduce_mean_do_not_keepdims_example", -1},
    {"test_reduce_mean_do_not_keepdims_random", -1}, {"test_reduce_mean_keepdims_example", -1},
    {"test_reduce_mean_keepdims_random", -1},
    {"test_reduce_mean_negative_axes_keepdims_example", -1},
    {"test_reduce_mean_negative_axes_keepdims_random", -1},
    {"test_resize_downsample_scales_linear", 1},
    {"test_resize_downsample_scales_linear_align_corners", 1},
    {"test_resize_downsample_scales_nearest", 1},
    {"test_resize_downsample_sizes_linear_pytorch_half_pixel", 1},
    {"test_resize_downsample_sizes_nearest", 1},
    {"test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn", 1},
    {"test_resize_upsample_scales_linear", 1},
    {"test_resize_upsample_scales_linear_align_corners", 1},
    {"test_resize_upsample_scales_nearest", 1}, {"test_resize_upsample_sizes_nearest", 1},
    {"test_resize_upsample_sizes_nearest_ceil_half_pixel", 1},
    {"test_resize_upsample_sizes_nearest_floor_align_corners", 1},
    {"test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric", 1}, {"test_slice", 1},
    {"test_slice_default_axes", 1}, {"test_slice_default_steps", 1},
    {"test_slice_end_out_of_bounds", 1}, {"test_slice_neg", 1}, {"test_slice_neg_steps", 1},
    {"test_slice_negative_axes", 1}, {"test_sqrt", -1}, {"test_sqrt_example", -1},
    {"test_squeeze", 1}, {"test_squeeze_negative_axes", 1}, {"test_sub", -1},
    {"test_sub_bcast", -1}, {"test_sub_example", -1}, {"test_unsqueeze_axis_0", 1},
    {"test_unsqueeze_axis_1", 1}, {"test_unsqueeze_axis_2", 1}, {"test_unsqueeze_axis_3", -1},
    {"test_unsqueeze_negative_axes", 1}, {"test_unsqueeze_three_axes", 1},
    {"test_unsqueeze_two_axes", 1}, {"test_unsqueeze_unsorted_axes", 1},
    {"test_upsample_nearest", 1},
};

struct UnsupportedCase {
  const char* dir;
  const char* why;  // substring of the import error (names the node, its op and what is refused)
};

const UnsupportedCase kUnsupportedCases[] = {
    {"test_add_uint8", "dtype UINT8"},
    {"test_mul_uint8", "dtype UINT8"},
    {"test_convtranspose_1d", "only 2-D convolutions"},
    {"test_convtranspose_3d", "only 2-D convolutions"},
    {"test_convtranspose_autopad_same", "attribute auto_pad=SAME_UPPER is not supported"},
    {"test_convtranspose_output_shape", "attribute output_shape is not supported"},
    {"test_convtranspose_kernel_shape", "attribute output_shape is not supported"},
    {"test_convtranspose_with_kernel", "opset 8 is not supported"},
    {"test_batchnorm_epsilon_training_mode", "training_mode=1 is not supported"},
    {"test_batchnorm_example_training_mode", "training_mode=1 is not supported"},
    {"test_dropout_default_mask", "mask output is not supported"},
    {"test_dropout_default_mask_ratio", "mask output is not supported"},
    {"test_dropout_random_old", "attribute ratio is not supported"},
    {"test_reshape_allowzero_reordered", "allowzero=1"},
    {"test_identity_opt", "dtype UNDEFINED"},
    {"test_identity_sequence", "dtype UNDEFINED"},
    {"test_softmax_axis_0_expanded", "op ReduceMax is not supported"},
    {"test_softmax_axis_1_expanded", "op ReduceMax is not supported"},
    {"test_softmax_axis_2_expanded", "op ReduceMax is not supported"},
    {"test_softmax_default_axis_expanded", "op ReduceMax is not supported"},
    {"test_softmax_example_expanded", "op ReduceMax is not supported"},
    {"test_softmax_large_number_expanded", "op ReduceMax is not supported"},
    {"test_softmax_negative_axis_expanded", "op ReduceMax is not supported"},
    // onnx-ops branch: cases of the newly supported ops that stay unsupported
    {"test_averagepool_1d_default",
     "node 0 '' (AveragePool): input 'x' has shape [1,3,32]; only 2-D pooling (rank-4 NCHW input) is supported"},
    {"test_averagepool_3d_default",
     "node 0 '' (AveragePool): input 'x' has shape [1,3,32,32,32]; only 2-D pooling (rank-4 NCHW input) is supported"},
    {"test_cast_BFLOAT16_to_FLOAT",
     "graph input 0 'input' has dtype BFLOAT16; only FLOAT inputs are supported"},
    {"test_cast_DOUBLE_to_FLOAT",
     "graph input 0 'input' has dtype DOUBLE; only FLOAT inputs are supported"},
    {"test_cast_DOUBLE_to_FLOAT16",
     "graph input 0 'input' has dtype DOUBLE; only FLOAT inputs are supported"},
    {"test_cast_FLOAT16_to_DOUBLE",
     "graph input 0 'input' has dtype FLOAT16; only FLOAT inputs are supported"},
    {"test_cast_FLOAT16_to_FLOAT",
     "graph input 0 'input' has dtype FLOAT16; only FLOAT inputs are supported"},
    {"test_cast_FLOAT_to_BFLOAT16",
     "node 0 '' (Cast): attribute to=BFLOAT16 is not supported for activations (only FLOAT)"},
    {"test_cast_FLOAT_to_DOUBLE",
     "node 0 '' (Cast): attribute to=DOUBLE is not supported for activations (only FLOAT)"},
    {"test_cast_FLOAT_to_FLOAT16",
     "node 0 '' (Cast): attribute to=FLOAT16 is not supported for activations (only FLOAT)"},
    {"test_cast_FLOAT_to_STRING",
     "node 0 '' (Cast): attribute to=STRING is not supported for activations (only FLOAT)"},
    {"test_cast_STRING_to_FLOAT",
     "graph input 0 'input' has dtype STRING; only FLOAT inputs are supported"},
    {"test_clip_default_int8_inbounds",
     "graph input 0 'x' has dtype INT8; only FLOAT inputs are supported"},
    {"test_clip_default_int8_max",
     "graph input 0 'x' has dtype INT8; only FLOAT inputs are supported"},
    {"test_clip_default_int8_min",
     "graph input 0 'x' has dtype INT8; only FLOAT inputs are supported"},
    {"test_constantofshape_float_ones",
     "graph input 0 'x' has dtype INT64; only FLOAT inputs are supported"},
    {"test_constantofshape_int_shape_zero",
     "graph input 0 'x' has dtype INT64; only FLOAT inputs are supported"},
    {"test_constantofshape_int_zeros",
     "graph input 0 'x' has dtype INT64; only FLOAT inputs are supported"},
    {"test_div_uint8",
     "graph input 0 'x' has dtype UINT8; only FLOAT inputs are supported"},
    {"test_edge_pad",
     "graph input 0 'x' has dtype INT32; only FLOAT inputs are supported"},
    {"test_expand_dim_changed",
     "node 0 '' (Expand): op Expand is not supported"},
    {"test_expand_dim_unchanged",
     "node 0 '' (Expand): op Expand is not supported"},
    {"test_gather_0",
     "node 0 '' (Gather): Gather of an activation needs evenly spaced indices"},
    {"test_gather_1",
     "node 0 '' (Gather): Gather of an activation needs evenly spaced indices"},
    {"test_gather_2d_indices",
     "node 0 '' (Gather): Gather of an activation needs a scalar or 1-D index, has [1,2]"},
    {"test_gather_negative_indices",
     "node 0 '' (Gather): Gather of an activation needs evenly spaced indices"},
    {"test_globalaveragepool",
     "opset 1 is not supported (mint supports opsets 9 to 17)"},
    {"test_globalaveragepool_precomputed",
     "opset 1 is not supported (mint supports opsets 9 to 17)"},
    {"test_hardsigmoid",
     "opset 6 is not supported (mint supports opsets 9 to 17)"},
    {"test_hardsigmoid_default",
     "opset 6 is not supported (mint supports opsets 9 to 17)"},
    {"test_hardsigmoid_example",
     "opset 6 is not supported (mint supports opsets 9 to 17)"},
    {"test_layer_normalization_2d_axis0",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_2d_axis1",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_2d_axis_negative_1",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_2d_axis_negative_2",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_3d_axis0_epsilon",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_3d_axis1_epsilon",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_3d_axis2_epsilon",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_3d_axis_negative_1_epsilon",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_3d_axis_negative_2_epsilon",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_3d_axis_negative_3_epsilon",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_4d_axis0",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_4d_axis1",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_4d_axis2",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_4d_axis3",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_4d_axis_negative_1",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_4d_axis_negative_2",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_4d_axis_negative_3",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_4d_axis_negative_4",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_layer_normalization_default_axis",
     "node 0 '' (LayerNormalization): the Mean and InvStdDev outputs are not supported"},
    {"test_max_float16",
     "graph input 0 'data_0' has dtype FLOAT16; only FLOAT inputs are supported"},
    {"test_max_float64",
     "graph input 0 'data_0' has dtype DOUBLE; only FLOAT inputs are supported"},
    {"test_max_int16",
     "graph input 0 'data_0' has dtype INT16; only FLOAT inputs are supported"},
    {"test_max_int32",
     "graph input 0 'data_0' has dtype INT32; only FLOAT inputs are supported"},
    {"test_max_int64",
     "graph input 0 'data_0' has dtype INT64; only FLOAT inputs are supported"},
    {"test_max_int8",
     "graph input 0 'data_0' has dtype INT8; only FLOAT inputs are supported"},
    {"test_max_uint16",
     "graph input 0 'data_0' has dtype UINT16; only FLOAT inputs are supported"},
    {"test_max_uint32",
     "graph input 0 'data_0' has dtype UINT32; only FLOAT inputs are supported"},
    {"test_max_uint64",
     "graph input 0 'data_0' has dtype UINT64; only FLOAT inputs are supported"},
    {"test_max_uint8",
     "graph input 0 'data_0' has dtype UINT8; only FLOAT inputs are supported"},
    {"test_maxpool_1d_default",
     "node 0 '' (MaxPool): input 'x' has shape [1,3,32]; only 2-D pooling (rank-4 NCHW input) is supported"},
    {"test_maxpool_2d_uint8",
     "graph input 0 'x' has dtype UINT8; only FLOAT inputs are supported"},
    {"test_maxpool_3d_default",
     "node 0 '' (MaxPool): input 'x' has shape [1,3,32,32,32]; only 2-D pooling (rank-4 NCHW input) is supported"},
    {"test_maxpool_with_argmax_2d_precomputed_pads",
     "node 0 '' (MaxPool): the Indices output is not supported"},
    {"test_maxpool_with_argmax_2d_precomputed_strides",
     "node 0 '' (MaxPool): the Indices output is not supported"},
    {"test_min_float16",
     "graph input 0 'data_0' has dtype FLOAT16; only FLOAT inputs are supported"},
    {"test_min_float64",
     "graph input 0 'data_0' has dtype DOUBLE; only FLOAT inputs are supported"},
    {"test_min_int16",
     "graph input 0 'data_0' has dtype INT16; only FLOAT inputs are supported"},
    {"test_min_int32",
     "graph input 0 'data_0' has dtype INT32; only FLOAT inputs are supported"},
    {"test_min_int64",
     "graph input 0 'data_0' has dtype INT64; only FLOAT inputs are supported"},
    {"test_min_int8",
     "graph input 0 'data_0' has dtype INT8; only FLOAT inputs are supported"},
    {"test_min_uint16",
     "graph input 0 'data_0' has dtype UINT16; only FLOAT inputs are supported"},
    {"test_min_uint32",
     "graph input 0 'data_0' has dtype UINT32; only FLOAT inputs are supported"},
    {"test_min_uint64",
     "graph input 0 'data_0' has dtype UINT64; only FLOAT inputs are supported"},
    {"test_min_uint8",
     "graph input 0 'data_0' has dtype UINT8; only FLOAT inputs are supported"},
    {"test_pow_types_float",
     "graph input 0 'x' has dtype INT64; only FLOAT inputs are supported"},
    {"test_pow_types_float32_int32",
     "node 0 '' (Pow): operand dtype INT32 is not supported (want FLOAT)"},
    {"test_pow_types_float32_int64",
     "node 0 '' (Pow): operand dtype INT64 is not supported (want FLOAT)"},
    {"test_pow_types_float32_uint32",
     "graph input 1 'y' has dtype UINT32; only FLOAT inputs are supported"},
    {"test_pow_types_float32_uint64",
     "graph input 1 'y' has dtype UINT64; only FLOAT inputs are supported"},
    {"test_pow_types_int",
     "node 0 '' (Pow): operand dtype INT64 is not supported (want FLOAT)"},
    {"test_pow_types_int32_float32",
     "graph input 0 'x' has dtype INT32; only FLOAT inputs are supported"},
    {"test_pow_types_int32_int32",
     "graph input 0 'x' has dtype INT32; only FLOAT inputs are supported"},
    {"test_pow_types_int64_float32",
     "graph input 0 'x' has dtype INT64; only FLOAT inputs are supported"},
    {"test_pow_types_int64_int64",
     "graph input 0 'x' has dtype INT64; only FLOAT inputs are supported"},
    {"test_range_float_type_positive_delta",
     "node 0 '' (Range): op Range is not supported"},
    {"test_range_float_type_positive_delta_expanded",
     "node 4 '' (Ceil): op Ceil is not supported"},
    {"test_range_int32_type_negative_delta",
     "graph input 0 'start' has dtype INT32; only FLOAT inputs are supported"},
    {"test_range_int32_type_negative_delta_expanded",
     "graph input 0 'start' has dtype INT32; only FLOAT inputs are supported"},
    {"test_reflect_pad",
     "graph input 0 'x' has dtype INT32; only FLOAT inputs are supported"},
    {"test_resize_downsample_scales_cubic",
     "node 0 '' (Resize): attribute mode=cubic is not supported"},
    {"test_resize_downsample_scales_cubic_A_n0p5_exclude_outside",
     "node 0 '' (Resize): attribute exclude_outside=1 is not supported"},
    {"test_resize_downsample_scales_cubic_align_corners",
     "node 0 '' (Resize): attribute mode=cubic is not supported"},
    {"test_resize_downsample_sizes_cubic",
     "node 0 '' (Resize): attribute mode=cubic is not supported"},
    {"test_resize_tf_crop_and_resize",
     "node 0 '' (Resize): attribute coordinate_transformation_mode=tf_crop_and_resize is not supported"},
    {"test_resize_upsample_scales_cubic",
     "node 0 '' (Resize): attribute mode=cubic is not supported"},
    {"test_resize_upsample_scales_cubic_A_n0p5_exclude_outside",
     "node 0 '' (Resize): attribute exclude_outside=1 is not supported"},
    {"test_resize_upsample_scales_cubic_align_corners",
     "node 0 '' (Resize): attribute mode=cubic is not supported"},
    {"test_resize_upsample_scales_cubic_asymmetric",
     "node 0 '' (Resize): attribute mode=cubic is not supported"},
    {"test_resize_upsample_sizes_cubic",
     "node 0 '' (Resize): attribute mode=cubic is not supported"},
    {"test_shape",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_shape_clip_end",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_shape_clip_start",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_shape_end_1",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_shape_end_negative_1",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_shape_example",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_shape_start_1",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_shape_start_1_end_2",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_shape_start_1_end_negative_1",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_shape_start_negative_1",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_size",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_size_example",
     "graph output 'y': constant 'y' of dtype INT64 is used as an activation; only FLOAT is supported"},
    {"test_slice_start_out_of_bounds",
     "node 0 '' (Slice): an empty slice (axis 1) is not supported"},
    {"test_sub_uint8",
     "graph input 0 'x' has dtype UINT8; only FLOAT inputs are supported"},
};

std::string testdata_root() {
  const char* env = std::getenv("MINT_ONNX_TESTDATA_DIR");
  return env ? env : "/usr/share/libonnx-testdata/data/node";
}

bool is_dir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<OnnxTensor> load_tensor(const std::string& path) {
  MINT_ASSIGN_OR_RETURN(Bytes b, compiler::read_file_bytes(path));
  return compiler::onnx::decode_onnx_tensor(b.data(), b.size());
}

bool testdata_available() {
  if (is_dir(testdata_root())) return true;
#ifdef MINT_CROSSCOMPILING
  return false;
#else
  ADD_FAILURE() << "libonnx-testdata is missing (" << testdata_root()
                << "): apt-get install libonnx-testdata";
  return false;
#endif
}

// Runs one supported case; returns "" on success, else what went wrong.
std::string run_case(const TestdataCase& c) {
  const std::string dir = testdata_root() + "/" + c.dir;
  Result<Bytes> model_bytes = compiler::read_file_bytes(dir + "/model.onnx");
  if (!model_bytes.is_ok()) return model_bytes.status().message();
  auto model = compiler::onnx::decode_onnx_model(model_bytes.value().data(), model_bytes.value().size());
  if (!model.is_ok()) return model.status().message();
  // Graph inputs that are not initializers, in order.
  std::vector<std::string> inputs;
  for (const auto& in : model.value().graph.inputs) {
    bool init = false;
    for (const auto& t : model.value().graph.initializers) init = init || t.name == in.name;
    if (!init) inputs.push_back(in.name);
  }
  OnnxImportOptions options;
  std::vector<std::vector<float>> feeds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto t = load_tensor(dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb");
    if (!t.is_ok()) return t.status().message();
    if (c.runtime_inputs < 0 || static_cast<int>(i) < c.runtime_inputs) {
      if (t.value().host != compiler::onnx::HostType::kF32) return "runtime input is not FLOAT";
      feeds.push_back(t.value().f32);
    } else {
      options.constant_inputs[inputs[i]] = t.value();
    }
  }
  auto graph = compiler::import_onnx_model(model.value(), options);
  if (!graph.is_ok()) return "import: " + graph.status().message();
  const RunOutcome r = compile_and_run(std::move(graph).value(), feeds);
  if (!r.error.empty()) return r.error;
  const size_t n_out = model.value().graph.outputs.size();
  if (r.outputs.size() != n_out) return "output count differs";
  for (size_t o = 0; o < n_out; ++o) {
    auto want = load_tensor(dir + "/test_data_set_0/output_" + std::to_string(o) + ".pb");
    if (!want.is_ok()) return want.status().message();
    const std::vector<float> w = want.value().as_f32();
    if (w.size() != r.outputs[o].size()) {
      return "output " + std::to_string(o) + " has " + std::to_string(r.outputs[o].size()) +
             " values, want " + std::to_string(w.size());
    }
    for (size_t i = 0; i < w.size(); ++i) {
      const double tol = 1e-6 + 1e-5 * std::fabs(w[i]);
      if (!(std::fabs(r.outputs[o][i] - w[i]) <= tol)) {
        return "output " + std::to_string(o) + " at " + std::to_string(i) + ": got " +
               std::to_string(r.outputs[o][i]) + ", want " + std::to_string(w[i]);
      }
    }
  }
  return "";
}

TEST(OnnxTestdata, SupportedCasesMatchExpectedOutputs) {
  if (!testdata_available()) GTEST_SKIP() << "cross build without libonnx-testdata";
  size_t passed = 0;
  for (const TestdataCase& c : kSupportedCases) {
    const std::string err = run_case(c);
    EXPECT_EQ(err, "") << c.dir;
    if (err.empty()) ++passed;
    std::printf("  %-48s %s\n", c.dir, err.empty() ? "ok" : "FAILED");
  }
  const size_t total = sizeof(kSupportedCases) / sizeof(kSupportedCases[0]);
  std::printf("libonnx-testdata: %zu of %zu supported cases match\n", passed, total);
  EXPECT_EQ(passed, total);
}

TEST(OnnxTestdata, UnsupportedCasesFailClearly) {
  if (!testdata_available()) GTEST_SKIP() << "cross build without libonnx-testdata";
  size_t checked = 0;
  for (const UnsupportedCase& c : kUnsupportedCases) {
    const std::string dir = testdata_root() + "/" + c.dir;
    OnnxImportOptions options;
    // Bind every input but the first, as for the supported cases, so that the op itself is judged.
    Result<Bytes> bytes = compiler::read_file_bytes(dir + "/model.onnx");
    ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
    auto model = compiler::onnx::decode_onnx_model(bytes.value().data(), bytes.value().size());
    ASSERT_TRUE(model.is_ok()) << c.dir << ": " << model.status().message();
    const auto& ins = model.value().graph.inputs;
    for (size_t i = 1; i < ins.size(); ++i) {
      auto t = load_tensor(dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb");
      if (t.is_ok()) options.constant_inputs[ins[i].name] = t.value();
    }
    auto g = compiler::import_onnx_model(model.value(), options);
    if (g.is_ok()) {
      ADD_FAILURE() << c.dir << " imported but is listed as unsupported";
      continue;
    }
    EXPECT_NE(g.status().message().find(c.why), std::string::npos)
        << c.dir << ": " << g.status().message();
    EXPECT_NE(g.status().message().find("onnx"), std::string::npos) << g.status().message();
    std::printf("  %-48s unsupported: %s\n", c.dir, g.status().message().c_str());
    ++checked;
  }
  std::printf("libonnx-testdata: %zu expected-unsupported cases fail with a clear message\n", checked);
}

}  // namespace
}  // namespace mint
