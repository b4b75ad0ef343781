/**
 * A camera for browser tests: Chromium's fake capture device plays a Y4M file
 * (`--use-file-for-fake-video-capture`), so a page calling getUserMedia sees this frame, a QR
 * code of `text` drawn black on white, as a phone camera held over a device's screen would.
 */
import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

const WIDTH = 640;
const HEIGHT = 480;

/** Writes a one-frame 4:2:0 Y4M video of a QR code of `text` to `path`. */
export function writeQrVideo(path: string, text: string): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  // Whole pixels per module, with a quiet zone of 4 modules on every side.
  const scale = Math.floor(Math.min(WIDTH, HEIGHT) / (n + 8));
  if (scale < 2) throw new Error(`a QR code of ${n} modules does not fit ${WIDTH}×${HEIGHT}`);
  const x0 = Math.floor((WIDTH - n * scale) / 2);
  const y0 = Math.floor((HEIGHT - n * scale) / 2);
  const luma = Buffer.alloc(WIDTH * HEIGHT, 235);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++)
        luma.fill(
          16,
          (y0 + r * scale + dy) * WIDTH + x0 + c * scale,
          (y0 + r * scale + dy) * WIDTH + x0 + (c + 1) * scale,
        );
    }
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2), 128);
  writeFileSync(
    path,
    Buffer.concat([
      Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F30:1 Ip A1:1 C420jpeg\nFRAME\n`),
      luma,
      chroma,
      chroma,
    ]),
  );
}
