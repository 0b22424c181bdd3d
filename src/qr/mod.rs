//! QR codes: reading OTP links out of images and drawing them.
