;; Bilinear letterbox kernel: reads 8-bit pixels, writes normalised float32 planes.
;;
;; One output pixel per iteration, its three channels in the lanes of one f32x4. For each
;; of the two source rows, one 8-byte load holds both horizontal neighbours (left pixel at
;; the column's byte offset, right pixel right after it), and the column's swizzle mask
;; moves their channels to bytes 0-2 and 4-6 in red, green, blue order. The byte after
;; each neighbour may be read but lands in lane 3, which is never stored.
;;
;; Tables and masks are written by bilinear-kernel.ts; all offsets are bytes into memory.
;;   column table, 12 bytes per output column: i32 byte offset of the left neighbour in a
;;     row, i32 address of the column's 16-byte swizzle mask, f32 weight of the right one
;;   row table, 12 bytes per output row: i32 byte offset of the upper row, i32 of the
;;     lower row, f32 weight of the lower one
;;   params, 32 bytes: f32x4 scale and f32x4 offset per channel (value * scale + offset)
;; Reads may reach 7 bytes past the last pixel, so the frame needs that much slack.
(module
  (memory (export "memory") 1)

  ;; frame: address of the first source byte; out: address of the first resized value of
  ;; the red plane; rowStride and planeBytes: bytes between output rows and planes.
  (func (export "bilinear")
    (param $frame i32) (param $out i32) (param $columns i32) (param $rows i32) (param $params i32)
    (param $width i32) (param $height i32) (param $rowStride i32) (param $planeBytes i32)
    (local $scale v128) (local $offset v128) (local $rowWeight v128) (local $columnWeight v128) (local $mask v128)
    (local $wide v128) (local $leftValue v128) (local $upper v128) (local $lower v128) (local $value v128)
    (local $row i32) (local $rowEnd i32) (local $top i32) (local $bottom i32)
    (local $column i32) (local $o i32) (local $oEnd i32) (local $left i32) (local $bluePlane i32)
    (local.set $scale (v128.load (local.get $params)))
    (local.set $offset (v128.load offset=16 (local.get $params)))
    (local.set $bluePlane (i32.shl (local.get $planeBytes) (i32.const 1)))
    (local.set $row (local.get $rows))
    (local.set $rowEnd (i32.add (local.get $rows) (i32.mul (local.get $height) (i32.const 12))))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rowEnd)))
        (local.set $top (i32.add (local.get $frame) (i32.load (local.get $row))))
        (local.set $bottom (i32.add (local.get $frame) (i32.load offset=4 (local.get $row))))
        (local.set $rowWeight (f32x4.splat (f32.load offset=8 (local.get $row))))
        (local.set $o (local.get $out))
        (local.set $oEnd (i32.add (local.get $out) (i32.shl (local.get $width) (i32.const 2))))
        (local.set $column (local.get $columns))
        (block $columnsDone
          (loop $nextColumn
            (br_if $columnsDone (i32.ge_u (local.get $o) (local.get $oEnd)))
            (local.set $left (i32.load (local.get $column)))
            (local.set $mask (v128.load (i32.load offset=4 (local.get $column))))
            (local.set $columnWeight (f32x4.splat (f32.load offset=8 (local.get $column))))
            ;; The two rows are written out rather than called as a function: V8 does not
            ;; inline calls, and the calls doubled the kernel's time.
            (local.set $wide
              (i16x8.extend_low_i8x16_u
                (i8x16.swizzle (v128.load64_zero (i32.add (local.get $top) (local.get $left))) (local.get $mask))))
            (local.set $leftValue (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $wide))))
            (local.set $upper
              (f32x4.add (local.get $leftValue)
                (f32x4.mul
                  (f32x4.sub (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $wide))) (local.get $leftValue))
                  (local.get $columnWeight))))
            (local.set $wide
              (i16x8.extend_low_i8x16_u
                (i8x16.swizzle (v128.load64_zero (i32.add (local.get $bottom) (local.get $left))) (local.get $mask))))
            (local.set $leftValue (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $wide))))
            (local.set $lower
              (f32x4.add (local.get $leftValue)
                (f32x4.mul
                  (f32x4.sub (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $wide))) (local.get $leftValue))
                  (local.get $columnWeight))))
            (local.set $value
              (f32x4.add
                (f32x4.mul
                  (f32x4.add (local.get $upper)
                    (f32x4.mul (f32x4.sub (local.get $lower) (local.get $upper)) (local.get $rowWeight)))
                  (local.get $scale))
                (local.get $offset)))
            (f32.store (local.get $o) (f32x4.extract_lane 0 (local.get $value)))
            (f32.store (i32.add (local.get $o) (local.get $planeBytes)) (f32x4.extract_lane 1 (local.get $value)))
            (f32.store (i32.add (local.get $o) (local.get $bluePlane)) (f32x4.extract_lane 2 (local.get $value)))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $column (i32.add (local.get $column) (i32.const 12)))
            (br $nextColumn)))
        (local.set $out (i32.add (local.get $out) (local.get $rowStride)))
        (local.set $row (i32.add (local.get $row) (i32.const 12)))
        (br $nextRow))))
)
