import svgCaptcha from 'svg-captcha';
import type { CaptchaImages } from '../core/ports.ts';

/**
 * CAPTCHA images drawn by svg-captcha, here, with no third-party service: five characters
 * with noise lines, as an SVG data URI. Characters that look alike are left out.
 */
export const svgCaptchaImages: CaptchaImages = {
  create() {
    const { data, text } = svgCaptcha.create({ size: 5, noise: 3, ignoreChars: '0oO1iIlL', color: true, background: '#f4f5f7' });
    return { image: `data:image/svg+xml;base64,${Buffer.from(data).toString('base64')}`, answer: text };
  },
};
