pub mod import;
pub mod model;
pub mod otp;
pub mod uri;
