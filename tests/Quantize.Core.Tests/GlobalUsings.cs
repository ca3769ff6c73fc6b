global using Quantize.Testing;
global using Quantize.Testing.TestModels;
global using Xunit;
