namespace MtlNotebooks.Balancing;

/// <summary>Small dense linear algebra on the T×T Gram matrices of task gradients (T is the number of tasks, so these
/// stay tiny and exact in doubles).</summary>
internal static class BalancerMath
{
    public static double[] Multiply(double[,] m, double[] x)
    {
        int n = x.Length;
        var y = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) y[i] += m[i, j] * x[j];
        return y;
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>xᵀ M y.</summary>
    public static double Quadratic(double[,] m, double[] x, double[] y) => Dot(x, Multiply(m, y));

    /// <summary>Solves A x = b by Gaussian elimination with partial pivoting; throws when A is singular.</summary>
    public static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
                if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            if (Math.Abs(m[pivot, col]) < 1e-300)
                throw new InvalidOperationException("The linear system is singular (two task gradients are parallel or zero).");
            if (pivot != col)
            {
                for (int k = 0; k < n; k++) (m[col, k], m[pivot, k]) = (m[pivot, k], m[col, k]);
                (x[col], x[pivot]) = (x[pivot], x[col]);
            }
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r, col] / m[col, col];
                if (f == 0) continue;
                for (int k = col; k < n; k++) m[r, k] -= f * m[col, k];
                x[r] -= f * x[col];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int k = r + 1; k < n; k++) s -= m[r, k] * x[k];
            x[r] = s / m[r, r];
        }
        return x;
    }

    /// <summary>Euclidean projection onto the probability simplex {w ≥ 0, Σ w = 1} (Duchi et al., ICML 2008, Fig. 1).</summary>
    public static double[] ProjectToSimplex(double[] v)
    {
        var u = v.OrderByDescending(x => x).ToArray();
        double cumulative = 0, theta = 0;
        for (int j = 0; j < u.Length; j++)
        {
            cumulative += u[j];
            double t = (cumulative - 1) / (j + 1);
            if (u[j] - t > 0) theta = t;
        }
        return v.Select(x => Math.Max(x - theta, 0)).ToArray();
    }

    /// <summary>Minimises a convex <paramref name="f"/> over the probability simplex by projected gradient descent with
    /// backtracking (Armijo) line search, from the uniform point. Converges to ~1e-12 in the objective for the tiny,
    /// smooth problems here (CAGrad's dual).</summary>
    public static double[] MinimizeOnSimplex(Func<double[], double> f, Func<double[], double[]> gradient, int size, int maxIterations = 2000)
    {
        var w = Enumerable.Repeat(1.0 / size, size).ToArray();
        double fw = f(w), step = 1.0;
        for (int it = 0; it < maxIterations; it++)
        {
            var g = gradient(w);
            double[] next;
            double fNext;
            while (true)
            {
                next = ProjectToSimplex(w.Select((x, i) => x - step * g[i]).ToArray());
                fNext = f(next);
                var d = next.Select((x, i) => x - w[i]).ToArray();
                if (fNext <= fw + Dot(g, d) + Dot(d, d) / (2 * step) || step < 1e-20) break;
                step /= 2;
            }
            double change = next.Select((x, i) => Math.Abs(x - w[i])).Sum();
            w = next;
            fw = fNext;
            if (change < 1e-14) break;
            step *= 2;    // let the step grow again after a successful one
        }
        return w;
    }

    /// <summary>Eigenvalues and eigenvectors (columns of the second result) of a symmetric matrix by cyclic Jacobi rotations,
    /// exact to rounding for the T×T Gram matrices here.</summary>
    public static (double[] Values, double[,] Vectors) SymmetricEigen(double[,] matrix, int maxSweeps = 100)
    {
        int n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < maxSweeps; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++) off += a[p, q] * a[p, q];
            if (off < 1e-30) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        return (Enumerable.Range(0, n).Select(i => a[i, i]).ToArray(), v);
    }

    /// <summary>The softmax of <paramref name="z"/>.</summary>
    public static double[] Softmax(IReadOnlyList<double> z)
    {
        double max = z.Max();
        var e = z.Select(x => Math.Exp(x - max)).ToArray();
        double sum = e.Sum();
        return e.Select(x => x / sum).ToArray();
    }
}
