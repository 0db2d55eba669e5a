;; Bilinear letterbox kernel: reads 8-bit pixels, writes normalised float32 planes.
;;
;; Horizontal blending is integer: for each of the two source rows, one 8-byte load holds
;; both horizontal neighbours (left pixel at the column's byte offset, right pixel right
;; after it), a swizzle spreads their red, green and blue bytes into 16-bit lanes as
;; (left, right) pairs, and one dot product with the column's weights, which sum to 16384,
;; gives each channel times 16384 in an i32 lane. Vertical blending, scale and offset are
;; float: value = upper * a + lower * b + offset, where a and b fold the row weight, the
;; per-channel scale and the 1/16384 together once per row.
;;
;; Four output pixels are computed at a time and transposed, so each plane gets one
;; 16-byte store per four pixels; the last width % 4 pixels of a row are stored lane by lane.
;;
;; Tables are written by bilinear-kernel.ts; all offsets are bytes into memory.
;;   column offsets, 4 bytes per output column: i32 byte offset of the left neighbour in a row
;;   column weights, 16 bytes per output column: i16 x 8 (left, right) x 3 then two zeros
;;   row table, 12 bytes per output row: i32 byte offset of the upper row, i32 of the
;;     lower row, f32 weight of the lower one
;;   params, 48 bytes: f32x4 scale / 16384 and f32x4 offset per channel, then the swizzle mask
;; The right neighbour of an edge column may lie past its row (its weight is then 0), and
;; reads reach 7 bytes past the last pixel, so the frame needs that much slack.
(module
  (memory (export "memory") 1)

  ;; frame: address of the first source byte; out: address of the first resized value of
  ;; the red plane; rowStride and planeBytes: bytes between output rows and planes.
  (func (export "bilinear")
    (param $frame i32) (param $out i32) (param $offsets i32) (param $weights i32) (param $rows i32)
    (param $params i32) (param $width i32) (param $height i32) (param $rowStride i32) (param $planeBytes i32)
    (local $scale v128) (local $offset v128) (local $mask v128) (local $a v128) (local $b v128)
    (local $w v128) (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $t0 v128) (local $t1 v128)
    (local $row i32) (local $rowEnd i32) (local $top i32) (local $bottom i32) (local $lowerWeight f32)
    (local $o i32) (local $quadEnd i32) (local $oEnd i32) (local $left i32) (local $offsetAt i32) (local $weightAt i32) (local $bluePlane i32)
    (local.set $scale (v128.load (local.get $params)))
    (local.set $offset (v128.load offset=16 (local.get $params)))
    (local.set $mask (v128.load offset=32 (local.get $params)))
    (local.set $bluePlane (i32.shl (local.get $planeBytes) (i32.const 1)))
    (local.set $row (local.get $rows))
    (local.set $rowEnd (i32.add (local.get $rows) (i32.mul (local.get $height) (i32.const 12))))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rowEnd)))
        (local.set $top (i32.add (local.get $frame) (i32.load (local.get $row))))
        (local.set $bottom (i32.add (local.get $frame) (i32.load offset=4 (local.get $row))))
        (local.set $lowerWeight (f32.load offset=8 (local.get $row)))
        (local.set $a (f32x4.mul (local.get $scale) (f32x4.splat (f32.sub (f32.const 1) (local.get $lowerWeight)))))
        (local.set $b (f32x4.mul (local.get $scale) (f32x4.splat (local.get $lowerWeight))))
        (local.set $o (local.get $out))
        (local.set $oEnd (i32.add (local.get $out) (i32.shl (local.get $width) (i32.const 2))))
        (local.set $quadEnd (i32.add (local.get $out) (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2))))
        (local.set $offsetAt (local.get $offsets))
        (local.set $weightAt (local.get $weights))
        (block $quadsDone
          (loop $nextQuad
            (br_if $quadsDone (i32.ge_u (local.get $o) (local.get $quadEnd)))
            ;; Each pixel is written out rather than called: V8 does not inline calls, and
            ;; a call per pixel made the kernel 40% slower.
            (local.set $left (i32.load (local.get $offsetAt)))
            (local.set $w (v128.load (local.get $weightAt)))
            (local.set $p0
              (f32x4.add
                (f32x4.add
                  (f32x4.mul
                    (f32x4.convert_i32x4_s
                      (i32x4.dot_i16x8_s
                        (i8x16.swizzle (v128.load64_zero (i32.add (local.get $top) (local.get $left))) (local.get $mask))
                        (local.get $w)))
                    (local.get $a))
                  (f32x4.mul
                    (f32x4.convert_i32x4_s
                      (i32x4.dot_i16x8_s
                        (i8x16.swizzle (v128.load64_zero (i32.add (local.get $bottom) (local.get $left))) (local.get $mask))
                        (local.get $w)))
                    (local.get $b)))
                (local.get $offset)))
            (local.set $left (i32.load offset=4 (local.get $offsetAt)))
            (local.set $w (v128.load offset=16 (local.get $weightAt)))
            (local.set $p1
              (f32x4.add
                (f32x4.add
                  (f32x4.mul
                    (f32x4.convert_i32x4_s
                      (i32x4.dot_i16x8_s
                        (i8x16.swizzle (v128.load64_zero (i32.add (local.get $top) (local.get $left))) (local.get $mask))
                        (local.get $w)))
                    (local.get $a))
                  (f32x4.mul
                    (f32x4.convert_i32x4_s
                      (i32x4.dot_i16x8_s
                        (i8x16.swizzle (v128.load64_zero (i32.add (local.get $bottom) (local.get $left))) (local.get $mask))
                        (local.get $w)))
                    (local.get $b)))
                (local.get $offset)))
            (local.set $left (i32.load offset=8 (local.get $offsetAt)))
            (local.set $w (v128.load offset=32 (local.get $weightAt)))
            (local.set $p2
              (f32x4.add
                (f32x4.add
                  (f32x4.mul
                    (f32x4.convert_i32x4_s
                      (i32x4.dot_i16x8_s
                        (i8x16.swizzle (v128.load64_zero (i32.add (local.get $top) (local.get $left))) (local.get $mask))
                        (local.get $w)))
                    (local.get $a))
                  (f32x4.mul
                    (f32x4.convert_i32x4_s
                      (i32x4.dot_i16x8_s
                        (i8x16.swizzle (v128.load64_zero (i32.add (local.get $bottom) (local.get $left))) (local.get $mask))
                        (local.get $w)))
                    (local.get $b)))
                (local.get $offset)))
            (local.set $left (i32.load offset=12 (local.get $offsetAt)))
            (local.set $w (v128.load offset=48 (local.get $weightAt)))
            (local.set $p3
              (f32x4.add
                (f32x4.add
                  (f32x4.mul
                    (f32x4.convert_i32x4_s
                      (i32x4.dot_i16x8_s
                        (i8x16.swizzle (v128.load64_zero (i32.add (local.get $top) (local.get $left))) (local.get $mask))
                        (local.get $w)))
                    (local.get $a))
                  (f32x4.mul
                    (f32x4.convert_i32x4_s
                      (i32x4.dot_i16x8_s
                        (i8x16.swizzle (v128.load64_zero (i32.add (local.get $bottom) (local.get $left))) (local.get $mask))
                        (local.get $w)))
                    (local.get $b)))
                (local.get $offset)))
            ;; Transpose: t0 = (r0 r1 g0 g1), t1 = (r2 r3 g2 g3), then the blue lanes.
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $p0) (local.get $p1)))
            (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $p2) (local.get $p3)))
            (v128.store (local.get $o)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
            (v128.store (i32.add (local.get $o) (local.get $planeBytes))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
            (v128.store (i32.add (local.get $o) (local.get $bluePlane))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $p0) (local.get $p1))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 8 9 10 11 24 25 26 27 (local.get $p2) (local.get $p3))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $offsetAt (i32.add (local.get $offsetAt) (i32.const 16)))
            (local.set $weightAt (i32.add (local.get $weightAt) (i32.const 64)))
            (br $nextQuad)))
        (block $tailDone
          (loop $nextPixel
            (br_if $tailDone (i32.ge_u (local.get $o) (local.get $oEnd)))
            (local.set $left (i32.load (local.get $offsetAt)))
            (local.set $w (v128.load (local.get $weightAt)))
            (local.set $p0
              (f32x4.add
                (f32x4.add
                  (f32x4.mul
                    (f32x4.convert_i32x4_s
                      (i32x4.dot_i16x8_s
                        (i8x16.swizzle (v128.load64_zero (i32.add (local.get $top) (local.get $left))) (local.get $mask))
                        (local.get $w)))
                    (local.get $a))
                  (f32x4.mul
                    (f32x4.convert_i32x4_s
                      (i32x4.dot_i16x8_s
                        (i8x16.swizzle (v128.load64_zero (i32.add (local.get $bottom) (local.get $left))) (local.get $mask))
                        (local.get $w)))
                    (local.get $b)))
                (local.get $offset)))
            (f32.store (local.get $o) (f32x4.extract_lane 0 (local.get $p0)))
            (f32.store (i32.add (local.get $o) (local.get $planeBytes)) (f32x4.extract_lane 1 (local.get $p0)))
            (f32.store (i32.add (local.get $o) (local.get $bluePlane)) (f32x4.extract_lane 2 (local.get $p0)))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $offsetAt (i32.add (local.get $offsetAt) (i32.const 4)))
            (local.set $weightAt (i32.add (local.get $weightAt) (i32.const 16)))
            (br $nextPixel)))
        (local.set $out (i32.add (local.get $out) (local.get $rowStride)))
        (local.set $row (i32.add (local.get $row) (i32.const 12)))
        (br $nextRow))))

)
