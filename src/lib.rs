pub mod model;
pub mod import;
pub mod uri;
pub mod otp;
pub mod migration;
pub mod qr;
