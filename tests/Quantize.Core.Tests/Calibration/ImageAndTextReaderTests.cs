using Microsoft.ML.Tokenizers;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;
using SkiaSharp;
using static Quantize.Core.Tests.Calibration.CalibrationFixtures;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Calibration;

public sealed class ImageAndTextReaderTests
{
    private static readonly SKColor[] Palette = [new(255, 0, 0), new(0, 255, 0), new(0, 0, 255), new(10, 20, 30), new(200, 100, 50), new(0, 0, 0), new(255, 255, 255), new(128, 64, 32)];

    /// <summary>A 4×2 PNG whose pixel (x, y) is Palette[y·4 + x].</summary>
    private static string WritePalettePng(string folder)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(4, 2, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 2; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                bitmap.SetPixel(x, y, Palette[(y * 4) + x]);
            }
        }

        var path = Path.Combine(folder, "palette.png");
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    private static List<CalibrationSample> Read(Onnx.ModelProto model, string folder, ImagePreprocessing? image, params string[] sources) =>
        [.. new CalibrationDataReader(model, new CalibrationDataOptions { Sources = sources, BaseDirectory = folder, Image = image }).Read()];

    [Fact]
    public void Png_pixels_become_normalized_NCHW_RGB_values()
    {
        var folder = RealModels.ScratchFolder("png");
        WritePalettePng(folder);
        var options = new ImagePreprocessing { Mean = [0.5f, 0.25f, 0.125f], Std = [0.5f, 2f, 0.25f] };
        var tensor = Assert.Single(Read(TestModelCatalog.Identity(1, 3, 2, 4), folder, options, "*.png")).Inputs["x"];

        Assert.Equal([1L, 3, 2, 4], tensor.Shape);
        var values = Floats(tensor);
        for (int p = 0; p < 8; p++)
        {
            var color = Palette[p];
            Assert.Equal(((color.Red / 255f) - 0.5f) / 0.5f, values[p], 5);
            Assert.Equal(((color.Green / 255f) - 0.25f) / 2f, values[8 + p], 5);
            Assert.Equal(((color.Blue / 255f) - 0.125f) / 0.25f, values[16 + p], 5);
        }
    }

    [Fact]
    public void Bgr_NHWC_puts_blue_first_and_channels_last()
    {
        var folder = RealModels.ScratchFolder("png-bgr");
        WritePalettePng(folder);
        var options = new ImagePreprocessing { Channels = ChannelOrder.Bgr, Scale = 1, Mean = [100, 110, 120] };
        var tensor = Assert.Single(Read(TestModelCatalog.Identity(1, 2, 4, 3), folder, options, ".")).Inputs["x"];

        Assert.Equal([1L, 2, 4, 3], tensor.Shape);
        var values = Floats(tensor);
        for (int p = 0; p < 8; p++)
        {
            Assert.Equal(Palette[p].Blue - 100f, values[(3 * p) + 0]);
            Assert.Equal(Palette[p].Green - 110f, values[(3 * p) + 1]);
            Assert.Equal(Palette[p].Red - 120f, values[(3 * p) + 2]);
        }
    }

    [Fact]
    public void A_four_channel_NHWC_input_gets_alpha_last_and_one_mean_and_std_apply_to_every_channel()
    {
        // MLSD's preprocessing, (pixel / 127.5) − 1 on an RGBA texture: opaque alpha becomes exactly 1.
        var folder = RealModels.ScratchFolder("png-rgba");
        WritePalettePng(folder);
        var options = new ImagePreprocessing { Scale = 1f / 127.5f, Mean = [1f], Std = [1f] };
        var tensor = Assert.Single(Read(TestModelCatalog.Identity(1, 2, 4, 4), folder, options, ".")).Inputs["x"];

        Assert.Equal([1L, 2, 4, 4], tensor.Shape);
        var values = Floats(tensor);
        for (int p = 0; p < 8; p++)
        {
            Assert.Equal((Palette[p].Red / 127.5f) - 1f, values[(4 * p) + 0], 5);
            Assert.Equal((Palette[p].Green / 127.5f) - 1f, values[(4 * p) + 1], 5);
            Assert.Equal((Palette[p].Blue / 127.5f) - 1f, values[(4 * p) + 2], 5);
            Assert.Equal(1f, values[(4 * p) + 3], 5);
        }
    }

    [Fact]
    public void Three_means_for_a_four_channel_input_are_refused_naming_the_channel_count()
    {
        var folder = RealModels.ScratchFolder("png-rgba-mean");
        WritePalettePng(folder);
        var options = new ImagePreprocessing { Mean = [0.5f, 0.5f, 0.5f] };

        var error = Assert.Throws<QuantizeException>(() => Read(TestModelCatalog.Identity(1, 2, 4, 4), folder, options, "."));

        Assert.Equal(ErrorCodes.InvalidOption, error.Code);
        Assert.Contains("4 channels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Center_crop_cuts_the_middle_of_the_longer_side()
    {
        // 8×4: columns 0–3 red, 4–7 blue. Target 4×4: the shorter side already fits, so no resampling,
        // and the centered window is columns 2–5: two red, two blue.
        var folder = RealModels.ScratchFolder("crop");
        using (var bitmap = new SKBitmap(new SKImageInfo(8, 4, SKColorType.Rgba8888, SKAlphaType.Unpremul)))
        {
            for (int y = 0; y < 4; y++)
            {
                for (int x = 0; x < 8; x++)
                {
                    bitmap.SetPixel(x, y, x < 4 ? new SKColor(255, 0, 0) : new SKColor(0, 0, 255));
                }
            }

            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, "halves.png"), data.ToArray());
        }

        var tensor = Assert.Single(Read(TestModelCatalog.Identity(1, 3, 4, 4), folder, new ImagePreprocessing { Resize = ResizeMode.CenterCrop, Scale = 1 }, ".")).Inputs["x"];
        var red = Floats(tensor)[..16];
        for (int y = 0; y < 4; y++)
        {
            Assert.Equal([255f, 255, 0, 0], red[(4 * y)..((4 * y) + 4)]);
        }
    }

    [Fact]
    public void Jpeg_is_decoded_and_resized_to_the_models_size()
    {
        var folder = RealModels.ScratchFolder("jpg");
        using (var bitmap = new SKBitmap(new SKImageInfo(64, 48)))
        {
            bitmap.Erase(new SKColor(200, 100, 50));
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
            File.WriteAllBytes(Path.Combine(folder, "flat.jpg"), data.ToArray());
        }

        foreach (var resize in new[] { ResizeMode.Stretch, ResizeMode.CenterCrop })
        {
            var tensor = Assert.Single(Read(TestModelCatalog.Identity(1, 3, 8, 8), folder, new ImagePreprocessing { Resize = resize, Scale = 1 }, "flat.jpg")).Inputs["x"];
            var values = Floats(tensor);
            Assert.Equal(192, values.Length);
            Assert.All(values[..64], v => Assert.InRange(v, 197, 203)); // JPEG keeps a flat color within a few levels
            Assert.All(values[64..128], v => Assert.InRange(v, 97, 103));
            Assert.All(values[128..], v => Assert.InRange(v, 47, 53));
        }
    }

    [Fact]
    public void A_corrupt_image_is_QNT0017_naming_the_file()
    {
        var folder = RealModels.ScratchFolder("png-bad");
        File.WriteAllBytes(Path.Combine(folder, "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var error = Assert.Throws<QuantizeException>(() => Read(TestModelCatalog.Identity(1, 3, 4, 4), folder, null, "."));
        Assert.Equal(ErrorCodes.CalibrationFileUnreadable, error.Code);
        Assert.EndsWith("broken.png", error.FilePath, StringComparison.Ordinal);
    }

    [Fact]
    public void Images_for_a_model_without_an_image_input_are_QNT0015()
    {
        var folder = RealModels.ScratchFolder("png-model");
        WritePalettePng(folder);
        Assert.Equal(ErrorCodes.CalibrationInputMissing, Assert.Throws<QuantizeException>(() => Read(TestModelCatalog.TwoInputs(), folder, null, ".")).Code);
    }

    [Fact]
    public void Text_lines_become_the_token_ids_Microsoft_ML_Tokenizers_produces_with_mask_and_types()
    {
        var folder = RealModels.ScratchFolder("text");
        var sentences = Sentences.All.Take(5).ToList();
        File.WriteAllLines(Path.Combine(folder, "calibration.txt"), [sentences[0], "", .. sentences.Skip(1)]);
        var options = new CalibrationDataOptions
        {
            Sources = ["calibration.txt"],
            BaseDirectory = folder,
            Text = new TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath },
        };

        var samples = new CalibrationDataReader(TestModelCatalog.BertInputs(), options).Read().ToList();
        var tokenizer = BertTokenizer.Create(RealModels.MiniLmVocabPath);
        Assert.Equal(5, samples.Count);
        for (int i = 0; i < 5; i++)
        {
            var expected = tokenizer.EncodeToIds(sentences[i]).Select(id => (long)id).ToArray();
            var inputs = samples[i].Inputs;
            Assert.Equal(DataType.Int64, inputs["input_ids"].ElementType);
            Assert.Equal([1L, expected.Length], inputs["input_ids"].Shape);
            Assert.Equal(expected, Longs(inputs["input_ids"]));
            Assert.All(Longs(inputs["attention_mask"]), v => Assert.Equal(1, v));
            Assert.All(Longs(inputs["token_type_ids"]), v => Assert.Equal(0, v));
        }

        Assert.EndsWith("calibration.txt(3)", samples[1].Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_longer_than_the_maximum_is_truncated_keeping_CLS_and_SEP()
    {
        var folder = RealModels.ScratchFolder("text-long");
        var sentence = string.Join(' ', Sentences.All.Take(4));
        File.WriteAllText(Path.Combine(folder, "long.txt"), sentence);
        var options = new CalibrationDataOptions { Sources = ["long.txt"], BaseDirectory = folder, Text = new TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath, MaxLength = 12 } };

        var ids = Longs(Assert.Single(new CalibrationDataReader(TestModelCatalog.BertInputs(), options).Read()).Inputs["input_ids"]);
        var full = BertTokenizer.Create(RealModels.MiniLmVocabPath).EncodeToIds(sentence).Select(id => (long)id).ToArray();
        Assert.Equal(12, ids.Length);
        Assert.Equal(full[..11], ids[..11]);
        Assert.Equal(full[^1], ids[^1]); // [SEP]
    }

    [Fact]
    public void Text_without_a_vocabulary_is_QNT0009()
    {
        var folder = RealModels.ScratchFolder("text-novocab");
        File.WriteAllText(Path.Combine(folder, "a.txt"), "hello world");
        var options = new CalibrationDataOptions { Sources = ["a.txt"], BaseDirectory = folder };
        Assert.Equal(ErrorCodes.InvalidOption, Assert.Throws<QuantizeException>(() => new CalibrationDataReader(TestModelCatalog.BertInputs(), options).Read().ToList()).Code);
    }

    [Fact]
    public void A_text_file_among_an_image_models_photos_is_QNT0015_naming_it_not_a_missing_vocabulary()
    {
        var folder = RealModels.ScratchFolder("png-and-readme");
        WritePalettePng(folder);
        File.WriteAllText(Path.Combine(folder, "README.txt"), "Photos for calibration.");

        var error = Assert.Throws<QuantizeException>(() => Read(TestModelCatalog.Identity(1, 3, 2, 4), folder, null, "."));

        Assert.Equal(ErrorCodes.CalibrationInputMissing, error.Code);
        Assert.EndsWith("README.txt", error.FilePath, StringComparison.Ordinal);
        Assert.Contains("no model input takes integer token ids", error.Message, StringComparison.Ordinal);
    }

    private static long[] Longs(CalibrationTensor tensor) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(tensor.Data.Span).ToArray();
}
