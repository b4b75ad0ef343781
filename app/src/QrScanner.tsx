/**
 * Scan a QR code with the camera: frames from `getUserMedia` (the back camera on a phone) are
 * drawn to a canvas and decoded by jsQR, loaded only when the owner opens the camera so the
 * decoder stays out of the main bundle. The first code read is handed to `onText` and the
 * camera is released; so it is when the owner closes the scanner or leaves the page. Camera
 * failures are said in words with what to do instead.
 */
import { useEffect, useRef, useState } from 'react';

/** How often a frame is decoded (ms): fast enough to feel instant, light on a phone's CPU. */
const SCAN_EVERY_MS = 120;

function cameraProblem(e: unknown): string {
  const name = (e as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'the browser was not allowed to use the camera: allow it for this site, or paste the bundle.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'no camera was found: paste the bundle or choose its file instead.';
  if (name === 'NotReadableError')
    return 'the camera is in use by another application: close it and try again.';
  return `the camera could not be opened (${e instanceof Error ? e.message : String(e)}): paste the bundle instead.`;
}

export function QrScanner({
  onText,
  onClose,
}: {
  onText: (text: string) => void;
  onClose: () => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [scanning, setScanning] = useState(false);
  // The latest callback, so a re-render does not restart the camera.
  const deliver = useRef(onText);
  deliver.current = onText;

  useEffect(() => {
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
    void (async () => {
      if (!navigator.mediaDevices?.getUserMedia) {
        setProblem(
          'this page cannot use a camera here (it needs https or localhost): paste the bundle instead.',
        );
        return;
      }
      try {
        const [decoder, media] = await Promise.all([
          import('jsqr'),
          navigator.mediaDevices.getUserMedia({
            video: { facingMode: { ideal: 'environment' } },
            audio: false,
          }),
        ]);
        stream = media;
        const v = video.current;
        if (stopped || !v) return stop();
        v.srcObject = media;
        await v.play();
        setScanning(true);
        const canvas = document.createElement('canvas');
        const ctx = canvas.getContext('2d', { willReadFrequently: true });
        const jsQR = decoder.default;
        const tick = () => {
          if (stopped || !ctx) return;
          if (v.videoWidth > 0) {
            canvas.width = v.videoWidth;
            canvas.height = v.videoHeight;
            ctx.drawImage(v, 0, 0);
            const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
            const code = jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
            if (code && code.data) {
              stop();
              deliver.current(code.data);
              return;
            }
          }
          timer = setTimeout(tick, SCAN_EVERY_MS);
        };
        tick();
      } catch (e) {
        stop();
        setProblem(cameraProblem(e));
      }
    })();
    return stop;
  }, []);

  return (
    <div className="scanner">
      <video ref={video} muted playsInline aria-label="Camera view" />
      <p className="muted" role="status">
        {problem
          ? ''
          : scanning
            ? 'Point the camera at the QR code the device shows.'
            : 'Opening the camera…'}
      </p>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      <button type="button" onClick={onClose}>
        Close the camera
      </button>
    </div>
  );
}
