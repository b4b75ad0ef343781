pub mod initialize_network;
