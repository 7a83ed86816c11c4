"""Sentence embeddings and the dense index: the Embedder protocol, the packaged model,
the ONNX runtime and export, and the FAISS index on disk."""
